"""RF creditor references of orders: made from the id, printed in groups, read back from free text."""
from __future__ import annotations

import pytest
from stdnum import iso11649

from payments.references import MAX_SEARCH_LENGTH, rf_find, rf_format, rf_normalize, rf_reference_for_order


def test_reference_of_an_order_is_fixed_and_valid():
    assert rf_reference_for_order(123) == "RF39SME00000123"
    assert rf_reference_for_order(1) == "RF35SME00000001"
    assert rf_reference_for_order(99_999_999) == "RF36SME99999999"
    assert rf_reference_for_order(10**12) == "RF91SME1000000000000"
    assert iso11649.is_valid(rf_reference_for_order(123))


def test_references_of_different_orders_differ():
    references = {rf_reference_for_order(order_id) for order_id in range(1, 2001)}

    assert len(references) == 2000
    assert all(iso11649.is_valid(reference) for reference in references)


@pytest.mark.parametrize("order_id", [0, -5, True, "12", 1.0])
def test_reference_needs_a_positive_integer(order_id):
    with pytest.raises(ValueError):
        rf_reference_for_order(order_id)


def test_reference_longer_than_iso_11649_allows_is_refused():
    with pytest.raises(ValueError):
        rf_reference_for_order(10**18)


def test_format_groups_of_four():
    assert rf_format("RF39SME00000123") == "RF39 SME0 0000 123"
    assert rf_format("RF36SME99999999") == "RF36 SME9 9999 999"


@pytest.mark.parametrize("text", ["RF39SME00000123", "rf39 sme0 0000 123", "  Rf39SmE0000 0123 ", "RF39\nSME00000123"])
def test_normalize_accepts_spaces_and_lower_case(text):
    assert rf_normalize(text) == "RF39SME00000123"


@pytest.mark.parametrize("text", ["", None, "RF38SME00000123", "RF39SME00000124", "XX39SME00000123", "RF39",
                                  "RF39SME0000012-3", "RF39" + "1" * 22, "RF39 SME0 0000 123" + " " * 100])
def test_normalize_refuses_invalid_references(text):
    assert rf_normalize(text) is None


def test_find_reads_a_reference_with_spaces_and_lower_case():
    text = "payment for order rf39 sme0 0000 123, thanks"

    assert rf_find(text) == ["RF39SME00000123"]


def test_find_reads_a_compact_reference_and_one_broken_across_lines():
    assert rf_find("INV RF39SME00000123 / PO 4711") == ["RF39SME00000123"]
    assert rf_find("Order RF39 SME0\n 0000 123 thank you") == ["RF39SME00000123"]


def test_find_returns_every_reference_of_a_transfer_for_two_orders():
    text = f"orders {rf_format(rf_reference_for_order(5)).lower()} and {rf_reference_for_order(77)}"

    assert rf_find(text) == ["RF24SME00000005", "RF20SME00000077"]


def test_find_ignores_a_wrong_check_digit_and_rf_inside_a_word():
    assert rf_find("payment RF38 SME0 0000 123") == []
    assert rf_find("SURF39SME00000123") == []
    assert rf_find("no reference at all") == []
    assert rf_find("") == []
    assert rf_find(None) == []


def test_find_looks_only_at_the_start_of_a_long_text():
    reference = rf_reference_for_order(123)
    head = "x " * (MAX_SEARCH_LENGTH // 2 - 10)

    assert rf_find(head + reference) == [reference]
    assert rf_find(head + " " * 40 + reference) == []
