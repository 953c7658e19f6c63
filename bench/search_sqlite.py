#!/usr/bin/env python
"""How fast is search on the embedded default, SQLite with FTS5?

Creates (or reuses) a SQLite database file, migrates it, loads N published bench listings with the
data generator of bench/catalogue.py (the FTS5 index is filled by the triggers as the rows go in),
and times each kind of search in-process, one query after another: the selector as the search page
and the API use it (the count and the first page of 24 rows, with "did you mean"), and the whole
search page and API request through the Django test client. SQLite runs inside the process, so the
CPU time printed (time.process_time) is the application's and the database's together.

    .venv/bin/python bench/search_sqlite.py --listings 10000 --repeat 50 --runs 3

Prints, per query and per layer: p50 / p95 wall ms, CPU ms per query, SQL queries; and the load time.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = [
    ("common word", "cotton"),
    ("plural", "towels"),
    ("several words", "cotton bath towels"),
    ("HS heading", "6302"),
    ("seller name", "ruhr technik"),
    ("rare word", "zirconia"),
    ("typo", "cottn towl"),
    ("no match", "xylophone"),
    ("web syntax", '"bath towel" -linen'),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=10000, help="bench listings to have (default 10000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed repetitions of each query per run (default 30)")
    parser.add_argument("--runs", type=int, default=3, help="runs, the queries taking turns (default 3)")
    parser.add_argument("--database", default=str(ROOT / "var" / "bench_search_sqlite.sqlite3"),
                        help="SQLite file (default var/bench_search_sqlite.sqlite3; reused on the next run)")
    parser.add_argument("--seed", type=int, default=20261206)
    return parser.parse_args()


def setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load(target: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    import catalogue as bench
    from marketplace.models import Category, Listing, ListingIncoterm, PriceTier

    sellers = bench.bench_sellers()
    categories = {c.path: c for c in Category.objects.select_related("parent")}
    existing = bench.bench_listings().count()
    if existing >= target:
        print(f"data: reusing {existing} bench listings")
        return
    started = time.perf_counter()
    now = timezone.now()
    for start in range(existing, target, bench.BATCH):
        stop = min(start + bench.BATCH, target)
        rng = random.Random(seed * 1_000_003 + start)
        rows = [bench.make_listing(index, rng, sellers, categories, now) for index in range(start, stop)]
        with transaction.atomic():
            created = Listing.objects.bulk_create([row[0] for row in rows])
            PriceTier.objects.bulk_create(PriceTier(listing=listing, min_quantity=q, unit_price=p)
                                          for listing, (_l, tiers, _i, _c) in zip(created, rows) for q, p in tiers)
            ListingIncoterm.objects.bulk_create(ListingIncoterm(listing=listing, incoterm=term)
                                                for listing, (_l, _t, terms, _c) in zip(created, rows) for term in terms)
    bench.refresh_prices_in_eur()
    print(f"data: {target - existing} listings loaded (FTS5 index by the triggers) in "
          f"{time.perf_counter() - started:.1f} s")


def selector_call(text: str) -> None:
    from marketplace import selectors

    params = selectors.SearchParams(q=text)
    qs = selectors.listing_search(params=params)
    qs.count()
    list(qs[:24])
    selectors.listing_search_suggestion(params=params)


def measure(kind: str, text: str, client, repeat: int) -> tuple[list[float], float, int]:
    from django.db import connection

    def call() -> None:
        if kind == "selector":
            selector_call(text)
        elif kind == "page":
            assert client.get("/listings/", {"q": text}).status_code == 200
        else:
            assert client.get("/api/v1/listings/", {"q": text, "page_size": 24}).status_code == 200

    call()  # warm-up: the typo vocabulary and caches
    executed = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: (
            executed.append(sql), execute(sql, params, many, context))[1]):
        call()
    walls = []
    cpu_started = time.process_time()
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        walls.append((time.perf_counter() - began) * 1000)
    return walls, (time.process_time() - cpu_started) * 1000 / repeat, len(executed)


def main() -> None:
    args = parse_args()
    print(f"uptime before: {os.getloadavg()}")
    setup(args.database)
    load(args.listings, args.seed)
    from django.test import Client

    from marketplace import search

    client = Client(HTTP_HOST="127.0.0.1")
    results: dict[tuple[str, str], dict] = {}
    for _run in range(args.runs):
        for kind in ("selector", "page", "api"):
            for label, text in QUERIES:
                walls, cpu, queries = measure(kind, text, client, args.repeat)
                entry = results.setdefault((kind, label), {"walls": [], "cpu": [], "queries": queries})
                entry["walls"] += walls
                entry["cpu"].append(cpu)
    from marketplace.selectors import SearchParams, listing_search

    print(f"\n{args.listings} listings on SQLite {__import__('sqlite3').sqlite_version}, "
          f"{args.runs} runs x {args.repeat} per query; first page of 24 rows with the count and did-you-mean")
    print(f"{'layer':9} {'query':32} {'found':>6} {'p50 ms':>7} {'p95 ms':>7} {'cpu ms':>7} {'queries':>7}  "
          "did you mean")
    for (kind, label), entry in results.items():
        text = dict(QUERIES)[label]
        walls = sorted(entry["walls"])
        p95 = walls[min(len(walls) - 1, int(len(walls) * 0.95))]
        found = listing_search(params=SearchParams(q=text)).count()
        print(f"{kind:9} {label + ' (' + text + ')':32} {found:>6} {statistics.median(walls):>7.1f} {p95:>7.1f} "
              f"{statistics.median(entry['cpu']):>7.1f} {entry['queries']:>7}  {search.did_you_mean(text) or '-'}")
    print(f"\nuptime after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
