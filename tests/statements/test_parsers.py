"""camt.053 and MT940 statements written in the test, read into ParsedStatement."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.exceptions import ApplicationError
from payments.references import rf_find
from statements.parsers import ParsedEntry, parse_camt053, parse_mt940, parse_statement
from tests.statements.builders import (
    ACCOUNT_IBAN,
    CamtEntry,
    CamtTx,
    Mt940Line,
    camt053,
    camt053_many,
    mt940,
    mt940_many,
)

REF_123 = "RF39SME00000123"
REF_5 = "RF24SME00000005"
REF_77 = "RF20SME00000077"


def _unreadable(data: bytes, parse=parse_statement) -> str:
    with pytest.raises(ApplicationError) as caught:
        parse(data)
    error = caught.value
    assert (error.code, error.status_code, error.fields) == ("statement_unreadable", 400, {"file": [error.message]})
    return error.message


# --- camt.053 ------------------------------------------------------------------------------------

def test_camt_entry_with_a_structured_reference():
    data = camt053([CamtEntry(amount="150.25", reference=REF_123, acct_svcr_ref="2026030200001",
                              debtor="Müller Handels GmbH", booking_date=date(2026, 3, 2),
                              value_date=date(2026, 3, 3))], opening="1000.00")

    statement = parse_camt053(data)

    assert (statement.statement_id, statement.account_iban_or_number, statement.currency, statement.opening_balance,
            statement.closing_balance, statement.format) == (
        "STMT-2026-03-02", ACCOUNT_IBAN, "EUR", Decimal("1000.00"), Decimal("1150.25"), "camt.053")
    assert statement.entries == [ParsedEntry(
        entry_reference="2026030200001", booking_date=date(2026, 3, 2), value_date=date(2026, 3, 3),
        amount=Decimal("150.25"), currency="EUR", credit=True, remittance="", structured_reference=REF_123,
        counterparty="Müller Handels GmbH", bank_reference="2026030200001")]


def test_camt_unstructured_reference_with_spaces_and_lower_case():
    data = camt053([CamtEntry(amount="99.00", acct_svcr_ref="X1",
                              unstructured=["Payment for order rf39 sme0", "0000 123, thanks"])])

    entry = parse_camt053(data).entries[0]

    assert (entry.remittance, entry.structured_reference) == ("Payment for order rf39 sme0 0000 123, thanks", "")
    assert rf_find(entry.remittance) == [REF_123]


def test_camt_batch_entry_gives_one_entry_per_transaction():
    batch = CamtEntry(amount="300.00", acct_svcr_ref="BATCH-7", transactions=[
        CamtTx(amount="120.00", reference=REF_5, debtor="Alpha Ltd"),
        CamtTx(amount="180.00", unstructured=[f"order {REF_77}"], debtor="Beta Ltd", acct_svcr_ref="TX-2"),
    ])

    entries = parse_camt053(camt053([batch])).entries

    assert [(e.entry_reference, e.amount, e.structured_reference, e.remittance, e.counterparty, e.bank_reference)
            for e in entries] == [
        ("BATCH-7/1", Decimal("120.00"), REF_5, "", "Alpha Ltd", "BATCH-7"),
        ("TX-2", Decimal("180.00"), "", f"order {REF_77}", "Beta Ltd", "TX-2"),
    ]


def test_camt_batch_without_amounts_per_transaction_is_one_entry():
    batch = CamtEntry(amount="300.00", ntry_ref="N-1", transactions=[
        CamtTx(reference=REF_5), CamtTx(unstructured=[f"and {REF_77}"])])

    entries = parse_camt053(camt053([batch])).entries

    assert [(e.entry_reference, e.amount, e.structured_reference, e.remittance) for e in entries] == [
        ("N-1", Decimal("300.00"), REF_5, f"and {REF_77}")]


def test_camt_debit_entry_names_the_creditor():
    data = camt053([CamtEntry(amount="42.10", credit=False, acct_svcr_ref="D-1", creditor="Freight Co",
                              unstructured=["Invoice 77"])])

    entry = parse_camt053(data).entries[0]

    assert (entry.credit, entry.amount, entry.counterparty, entry.remittance) == (
        False, Decimal("42.10"), "Freight Co", "Invoice 77")
    assert parse_camt053(data).closing_balance == Decimal("957.90")


@pytest.mark.parametrize("version", ["001.02", "001.04", "001.06", "001.08"])
def test_camt_versions_are_read_alike(version):
    data = camt053([
        CamtEntry(amount="10.00", reference=REF_123, acct_svcr_ref="R1", debtor="Gamma AG", booking_as_datetime=True),
        CamtEntry(amount="20.00", acct_svcr_ref="R2", transactions=[
            CamtTx(amount="5.00", reference=REF_5, debtor="Delta"), CamtTx(amount="15.00", reference=REF_77)]),
    ], version=version)

    entries = parse_camt053(data).entries

    assert [(e.entry_reference, e.amount, e.structured_reference, e.counterparty, e.booking_date) for e in entries] == [
        ("R1", Decimal("10.00"), REF_123, "Gamma AG", date(2026, 3, 2)),
        ("R2/1", Decimal("5.00"), REF_5, "Delta", date(2026, 3, 2)),
        ("R2/2", Decimal("15.00"), REF_77, "", date(2026, 3, 2)),
    ]


def test_camt_pending_entries_are_skipped():
    data = camt053([CamtEntry(acct_svcr_ref="B1"), CamtEntry(acct_svcr_ref="P1", status="PDNG")], version="001.08")

    assert [e.entry_reference for e in parse_camt053(data).entries] == ["B1"]


def test_camt_without_bank_references_hashes_identical_transfers_apart_and_stably():
    twins = [CamtEntry(amount="50.00", unstructured=["rent"]), CamtEntry(amount="50.00", unstructured=["rent"])]

    first = [e.entry_reference for e in parse_camt053(camt053(twins)).entries]
    overlapping = [e.entry_reference for e in parse_camt053(camt053(
        [*twins, CamtEntry(amount="7.00", booking_date=date(2026, 3, 3))], statement_id="NEXT")).entries]

    assert len(set(first)) == 2
    assert all(ref.startswith("H") and len(ref) == 33 for ref in first)
    assert overlapping[:2] == first


def test_camt_reimport_gives_the_same_references():
    data = camt053([CamtEntry(acct_svcr_ref="A"), CamtEntry(ntry_ref="N"), CamtEntry(unstructured=["x"])])

    assert [e.entry_reference for e in parse_camt053(data).entries] == [
        e.entry_reference for e in parse_camt053(data).entries]


def test_camt_repeated_bank_reference_is_made_unique():
    data = camt053([CamtEntry(amount="1.00", acct_svcr_ref="SAME"), CamtEntry(amount="2.00", acct_svcr_ref="SAME")])

    assert [e.entry_reference for e in parse_camt053(data).entries] == ["SAME", "SAME/2"]


# --- MT940 ---------------------------------------------------------------------------------------

def test_mt940_with_two_statement_lines():
    data = mt940([
        Mt940Line(amount="1250.50", customer_reference="NONREF", bank_reference="BK0001",
                  details="Payment for order rf39 sme0 0000 123 from Müller Handels GmbH, thank you",
                  value_date=date(2026, 3, 2), entry_date=date(2026, 3, 3)),
        Mt940Line(amount="15.00", mark="D", bank_reference="BK0002", details="Bank charges"),
    ], opening="1000.00")

    statement = parse_mt940(data)

    assert (statement.statement_id, statement.account_iban_or_number, statement.currency, statement.opening_balance,
            statement.closing_balance, statement.format) == (
        "STMT20260302 / 00042", ACCOUNT_IBAN, "EUR", Decimal("1000.00"), Decimal("2235.50"), "mt940")
    assert statement.entries == [
        ParsedEntry(entry_reference="BK0001", booking_date=date(2026, 3, 3), value_date=date(2026, 3, 2),
                    amount=Decimal("1250.50"), currency="EUR", credit=True,
                    remittance="Payment for order rf39 sme0 0000 123 from Müller Handels GmbH, th ank you",
                    structured_reference="", counterparty="", bank_reference="BK0001"),
        ParsedEntry(entry_reference="BK0002", booking_date=date(2026, 3, 2), value_date=date(2026, 3, 2),
                    amount=Decimal("15.00"), currency="EUR", credit=False, remittance="Bank charges",
                    structured_reference="", counterparty="", bank_reference="BK0002"),
    ]
    assert rf_find(statement.entries[0].remittance) == [REF_123]


def test_mt940_reversal_marks_and_a_reference_in_the_customer_reference():
    data = mt940([Mt940Line(amount="10,00".replace(",", "."), mark="RD", customer_reference=REF_123),
                  Mt940Line(amount="20.00", mark="RC", bank_reference="R2")])

    entries = parse_mt940(data).entries

    assert [(e.credit, e.amount, e.structured_reference) for e in entries] == [
        (True, Decimal("10.00"), REF_123), (False, Decimal("20.00"), "")]
    assert entries[0].entry_reference.startswith("H")


# --- format detection, damage and bounds ------------------------------------------------------------

def test_format_is_recognised_from_the_content():
    camt = parse_statement(b"\xef\xbb\xbf\n  " + camt053([CamtEntry(acct_svcr_ref="A")]))
    swift = parse_statement(mt940([Mt940Line(bank_reference="B")]))

    assert (camt.format, camt.entries[0].entry_reference) == ("camt.053", "A")
    assert (swift.format, swift.entries[0].entry_reference) == ("mt940", "B")


def test_unknown_content_is_refused_in_words():
    assert _unreadable(b"Date;Amount\n2026-03-02;10.00\n") == (
        "This file is neither a camt.053 (XML) nor an MT940 bank statement.")
    assert _unreadable(b"   \n") == "The file is empty."


def test_malformed_xml_is_refused_with_its_line():
    data = camt053([CamtEntry(acct_svcr_ref="A")]).replace(b"</Stmt>", b"")

    assert _unreadable(data).startswith("The XML of the statement is damaged near line ")


def test_other_xml_and_other_camt_messages_are_refused():
    pain = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>'
    camt052 = camt053([CamtEntry()]).replace(b"camt.053.001.02", b"camt.052.001.02")

    assert _unreadable(pain) == "This XML file is not an ISO 20022 camt.053 bank statement."
    assert _unreadable(camt052) == "This XML file is not an ISO 20022 camt.053 bank statement."


def test_xml_with_a_doctype_or_entities_is_refused():
    data = camt053([CamtEntry(acct_svcr_ref="A", unstructured=["&xxe;"])]).replace(b"&amp;xxe;", b"&xxe;").replace(
        b"?>\n", b'?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', 1)

    assert _unreadable(data) == "Statements with a document type declaration (DOCTYPE) are not accepted."


def test_camt_entry_without_amount_names_the_entry():
    data = camt053([CamtEntry(acct_svcr_ref="A"), CamtEntry(amount="abc", acct_svcr_ref="B")], closing="0")

    assert _unreadable(data) == "Entry 2 of the statement has no readable amount."


@pytest.mark.parametrize(("good", "bad"), [
    (b":61:2603020302C100,00", b":61:26AB02C100,00"),   # a date that is not one
    (b"C100,00NTRF", b"X100,00NTRF"),                   # no debit or credit mark
    (b":60F:C260302EUR1000,00", b":60F:C26030EUR1000"),  # a cut balance
])
def test_damaged_mt940_is_refused(good, bad):
    data = mt940([Mt940Line(bank_reference="B")])
    assert good in data

    assert _unreadable(data.replace(good, bad), parse_mt940) == "The MT940 statement is damaged and cannot be read."


def test_file_over_the_size_bound_is_refused(settings):
    settings.STATEMENT_MAX_BYTES = 1024 * 1024
    data = camt053_many(2000)
    assert len(data) > 1024 * 1024

    assert _unreadable(data) == "The file is larger than 1 MB. Export the statement for a shorter period."


def test_statement_over_the_entry_bound_is_refused(settings):
    settings.STATEMENT_MAX_ENTRIES = 10

    assert _unreadable(camt053_many(11)) == "The statement has more than 10 entries. Export it for a shorter period."
    assert _unreadable(mt940_many(11)) == "The statement has more than 10 entries. Export it for a shorter period."
    assert len(parse_statement(camt053_many(10)).entries) == 10
    assert len(parse_statement(mt940_many(10)).entries) == 10


def test_many_entries_are_read_with_their_references():
    camt = parse_statement(camt053_many(300))
    swift = parse_statement(mt940_many(300))

    for statement in (camt, swift):
        assert len(statement.entries) == 300
        assert len({e.entry_reference for e in statement.entries}) == 300
    assert camt.entries[1].structured_reference == "RF08SME00000002"
    assert rf_find(camt.entries[0].remittance) == ["RF35SME00000001"]
    assert rf_find(swift.entries[299].remittance) == ["RF13SME00000300"]
