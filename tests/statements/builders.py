"""Bank statements written in the tests: camt.053 XML (versions .001.02 to .001.08) and MT940 text.

    camt053([CamtEntry(amount="150.25", reference="RF39SME00000123")])
    mt940([Mt940Line(amount="150.25", details="order rf39 sme0 0000 123")])
    camt053_many(10_000), mt940_many(10_000)

Amounts are strings with a decimal point; MT940 writes them with a comma as it should."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from payments.references import rf_reference_for_order

ACCOUNT_IBAN = "DE89370400440532013000"


@dataclass
class CamtTx:
    """One transaction (TxDtls) of an entry."""

    amount: str | None = None
    currency: str = "EUR"
    reference: str = ""            # RmtInf/Strd/CdtrRefInf/Ref (CdtrRef in .001.02)
    unstructured: list[str] = field(default_factory=list)
    acct_svcr_ref: str = ""
    end_to_end_id: str = "NOTPROVIDED"
    debtor: str = ""
    credit: bool | None = None     # TxDtls/CdtDbtInd (.001.03 and later); None: not written


@dataclass
class CamtEntry:
    amount: str = "100.00"
    currency: str = "EUR"
    credit: bool = True
    booking_date: date = date(2026, 3, 2)
    value_date: date | None = date(2026, 3, 2)
    booking_as_datetime: bool = False
    acct_svcr_ref: str = ""
    ntry_ref: str = ""
    status: str = "BOOK"
    reference: str = ""
    unstructured: list[str] = field(default_factory=list)
    debtor: str = ""
    creditor: str = ""
    transactions: list[CamtTx] | None = None  # a batch; None: one TxDtls built from the fields above


def _version_number(version: str) -> int:
    return int(version.rsplit(".", 1)[-1])


def _party(tag: str, name: str, version: str) -> str:
    if not name:
        return ""
    inner = f"<Pty><Nm>{escape(name)}</Nm></Pty>" if _version_number(version) >= 8 else f"<Nm>{escape(name)}</Nm>"
    return f"<{tag}>{inner}</{tag}>"


def _remittance(reference: str, unstructured: list[str], version: str) -> str:
    parts = [f"<Ustrd>{escape(text)}</Ustrd>" for text in unstructured]
    if reference:
        tag = "CdtrRef" if _version_number(version) == 2 else "Ref"
        parts.append(f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                     f"<{tag}>{escape(reference)}</{tag}></CdtrRefInf></Strd>")
    return f"<RmtInf>{''.join(parts)}</RmtInf>" if parts else ""


def _tx(tx: CamtTx, version: str, entry_credit: bool) -> str:
    refs = "".join([f"<AcctSvcrRef>{escape(tx.acct_svcr_ref)}</AcctSvcrRef>" if tx.acct_svcr_ref else "",
                    f"<EndToEndId>{escape(tx.end_to_end_id)}</EndToEndId>"])
    amount = ""
    if tx.amount is not None:
        value = f"<Amt Ccy={quoteattr(tx.currency)}>{tx.amount}</Amt>"
        amount = value if _version_number(version) >= 4 else f"<AmtDtls><TxAmt>{value}</TxAmt></AmtDtls>"
    indicator = ""
    if tx.credit is not None and _version_number(version) >= 3:
        indicator = f"<CdtDbtInd>{'CRDT' if tx.credit else 'DBIT'}</CdtDbtInd>"
    credit = entry_credit if tx.credit is None else tx.credit
    party = _party("Dbtr", tx.debtor, version) if credit else _party("Cdtr", tx.debtor, version)
    parties = f"<RltdPties>{party}</RltdPties>" if party else ""
    return (f"<TxDtls><Refs>{refs}</Refs>{amount}{indicator}{parties}"
            f"{_remittance(tx.reference, tx.unstructured, version)}</TxDtls>")


def _date(tag: str, day: date | None, as_datetime: bool) -> str:
    if day is None:
        return ""
    inner = f"<DtTm>{day.isoformat()}T10:15:00+01:00</DtTm>" if as_datetime else f"<Dt>{day.isoformat()}</Dt>"
    return f"<{tag}>{inner}</{tag}>"


def _entry(entry: CamtEntry, version: str) -> str:
    transactions = entry.transactions
    if transactions is None:
        transactions = [CamtTx(reference=entry.reference, unstructured=entry.unstructured,
                               debtor=entry.debtor if entry.credit else entry.creditor)]
    status = f"<Sts><Cd>{entry.status}</Cd></Sts>" if _version_number(version) >= 8 else f"<Sts>{entry.status}</Sts>"
    details = "".join(_tx(tx, version, entry.credit) for tx in transactions)
    return ("<Ntry>"
            + (f"<NtryRef>{escape(entry.ntry_ref)}</NtryRef>" if entry.ntry_ref else "")
            + f"<Amt Ccy={quoteattr(entry.currency)}>{entry.amount}</Amt>"
            + f"<CdtDbtInd>{'CRDT' if entry.credit else 'DBIT'}</CdtDbtInd>{status}"
            + _date("BookgDt", entry.booking_date, entry.booking_as_datetime)
            + _date("ValDt", entry.value_date, False)
            + (f"<AcctSvcrRef>{escape(entry.acct_svcr_ref)}</AcctSvcrRef>" if entry.acct_svcr_ref else "")
            + "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            + (f"<NtryDtls>{details}</NtryDtls>" if details else "")
            + "</Ntry>")


def _balance(code: str, amount: Decimal, currency: str, day: date) -> str:
    indicator = "CRDT" if amount >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy={quoteattr(currency)}>{abs(amount)}</Amt>"
            f"<CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>")


def camt053(entries: list[CamtEntry], *, version: str = "001.02", iban: str = ACCOUNT_IBAN, currency: str = "EUR",
            statement_id: str = "STMT-2026-03-02", opening: str = "1000.00", closing: str | None = None,
            day: date = date(2026, 3, 2)) -> bytes:
    """A camt.053 document of one statement holding `entries`, in the namespace of `version`."""
    opening_amount = Decimal(opening)
    if closing is None:
        moved = sum((Decimal(e.amount) if e.credit else -Decimal(e.amount) for e in entries), Decimal("0"))
        closing_amount = opening_amount + moved
    else:
        closing_amount = Decimal(closing)
    body = "".join(_entry(entry, version) for entry in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<BkToCstmrStmt><GrpHdr><MsgId>MSG-{statement_id}</MsgId>"
            f"<CreDtTm>{day.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
            f"<Stmt><Id>{escape(statement_id)}</Id><CreDtTm>{day.isoformat()}T18:00:00</CreDtTm>"
            f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
            f"{_balance('OPBD', opening_amount, currency, day)}{_balance('CLBD', closing_amount, currency, day)}"
            f"{body}</Stmt></BkToCstmrStmt></Document>").encode()


@dataclass
class Mt940Line:
    amount: str = "100.00"
    mark: str = "C"                # C, D, RC or RD
    value_date: date = date(2026, 3, 2)
    entry_date: date | None = date(2026, 3, 2)
    customer_reference: str = "NONREF"
    bank_reference: str = ""
    details: str = ""
    currency: str = "EUR"


def _mt_amount(amount: str) -> str:
    return amount.replace(".", ",")


def _wrap_86(details: str) -> list[str]:
    """The :86: text in lines of at most 65 characters, as banks write it."""
    if not details:
        return []
    chunks = [details[i:i + 65] for i in range(0, len(details), 65)]
    return [f":86:{chunks[0]}", *chunks[1:]]


def mt940(lines: list[Mt940Line], *, account: str = ACCOUNT_IBAN, currency: str = "EUR",
          reference: str = "STMT20260302", statement_number: str = "00042/001", opening: str = "1000.00",
          day: date = date(2026, 3, 2)) -> bytes:
    """An MT940 statement holding `lines` (:61: with its :86:), with CRLF line ends."""
    opening_amount = Decimal(opening)
    moved = sum((Decimal(line.amount) if line.mark in ("C", "RD") else -Decimal(line.amount) for line in lines),
                Decimal("0"))
    closing_amount = opening_amount + moved

    def balance(tag: str, amount: Decimal) -> str:
        mark = "C" if amount >= 0 else "D"
        return f":{tag}:{mark}{day:%y%m%d}{currency}{_mt_amount(f'{abs(amount):.2f}')}"

    out = [f":20:{reference}", f":25:{account}", f":28C:{statement_number}", balance("60F", opening_amount)]
    for line in lines:
        entry = f"{line.entry_date:%m%d}" if line.entry_date else ""
        bank = f"//{line.bank_reference}" if line.bank_reference else ""
        out.append(f":61:{line.value_date:%y%m%d}{entry}{line.mark}{_mt_amount(line.amount)}NTRF"
                   f"{line.customer_reference}{bank}")
        out.extend(_wrap_86(line.details))
    out.append(balance("62F", closing_amount))
    out.append("-")
    return ("\r\n".join(out) + "\r\n").encode("latin-1")


def _many_days(index: int) -> date:
    return date(2026, 1, 1) + timedelta(days=index % 60)


def camt053_many(count: int, *, version: str = "001.08") -> bytes:
    """`count` credits, each paying an order by its RF reference, every third one in the free text."""
    entries = []
    for index in range(count):
        reference = rf_reference_for_order(index + 1)
        structured = index % 3 != 0
        entries.append(CamtEntry(
            amount=f"{100 + index % 900}.{index % 100:02d}", booking_date=_many_days(index),
            value_date=_many_days(index), acct_svcr_ref=f"BANK{index:010d}", debtor=f"Buyer {index % 50} GmbH",
            reference=reference if structured else "",
            unstructured=[] if structured else [f"Payment for order {reference.lower()} thanks"]))
    return camt053(entries, version=version)


def mt940_many(count: int) -> bytes:
    lines = [Mt940Line(amount=f"{100 + index % 900}.{index % 100:02d}", value_date=_many_days(index),
                       entry_date=_many_days(index), bank_reference=f"B{index:010d}",
                       details=f"Payment for order {rf_reference_for_order(index + 1)} from Buyer {index % 50} GmbH")
             for index in range(count)]
    return mt940(lines)
