"""The pure parts of bench/versus_oscar.py: who adds what to which cart, the figures and the table.
Neither oscar nor a server is needed."""
import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent.parent / "bench" / "versus_oscar.py"
spec = importlib.util.spec_from_file_location("versus_oscar", SCRIPT)
versus = importlib.util.module_from_spec(spec)
sys.modules.setdefault("versus_oscar", versus)  # dataclasses look their module up
spec.loader.exec_module(versus)


def test_every_first_add_is_a_product_its_buyer_has_not_added():
    buyers = 3
    pairs = [versus.pair(turn, buyers) for turn in range(9)]
    assert pairs == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
    assert len(set(pairs)) == len(pairs)


def test_products_for_first_adds_cover_every_add_and_stay_within_a_cart():
    args = argparse.Namespace(runs=2, warmup=10, requests=100)
    assert versus.first_adds_needed(args) == 222  # 2 x (10 + 100) + the 2 counted ones
    assert versus.products_for_first_adds(222, 16) == 14
    assert versus.products_for_first_adds(99 * 16, 16) == 99
    with pytest.raises(ValueError, match="more than a cart's 99 lines"):
        versus.products_for_first_adds(99 * 16 + 1, 16)


def test_summarize_takes_percentiles_over_all_requests_and_the_median_run():
    outcomes = [(302, seconds / 1000) for seconds in range(1, 101)] + [(500, 0.2)]
    row = versus.summarize(outcomes, [10.0, 30.0, 20.0], expected=302)
    assert row["requests"] == 101
    assert row["errors"] == 1
    assert row["rps"] == 20.0
    assert row["p50"] == pytest.approx(51.0)
    assert row["p95"] == pytest.approx(96.0)


def test_ratio_is_none_when_a_side_is_missing():
    assert versus.ratio(30.0, 10.0) == 3.0
    assert versus.ratio(30.0, 0.0) is None
    assert versus.ratio(None, 10.0) is None
    assert versus.ratio(float("nan"), 10.0) is None


def test_table_puts_both_apps_and_the_ratios_on_one_row():
    sme = {"rps": 40.0, "p50": 20.0, "p95": 30.0, "app_ms": 8.0, "cpu_ms": 10.0, "errors": 0}
    oscar = {"rps": 10.0, "p50": 80.0, "p95": 120.0, "app_ms": 36.0, "cpu_ms": 45.0, "cpu_lower_bound": True,
             "errors": 2}
    text = versus.table({"sme": {"browse": sme}, "oscar": {"browse": oscar}},
                        {"sme": {"browse": 4}, "oscar": {"browse": None}}, ["browse", "search"])
    lines = text.splitlines()
    assert len(lines) == 3  # header, rule, browse (search has no figures)
    assert lines[2] == ("| browse | 40.0 | 10.0 | 4.00 | 20.0 | 80.0 | 30.0 | 120.0 | 8.0 | 36.0 | 4.50 | 10.0 | "
                        ">=45.0 | 4 | n/a | 0/2 |")


def test_cpu_between_keeps_the_workers_apart_and_flags_a_closed_backend():
    before = {1: 10.0, 2: 20.0, 100: 5.0, 101: 7.0}
    after = {1: 10.5, 2: 20.25, 100: 5.5, 102: 0.125}  # backend 101 closed, 102 opened
    assert versus.cpu_between(before, after, {1, 2}) == (0.75, 1.375, True)
    assert versus.cpu_between(before, before, {1, 2}) == (0.0, 0.0, False)


def test_paired_ratio_is_the_median_of_the_runs_own_ratios():
    assert versus.paired_ratio([30.0, 60.0, 40.0], [10.0, 40.0, 10.0]) == 3.0  # 3.0, 1.5, 4.0
    assert versus.paired_ratio([30.0], [0.0]) is None
