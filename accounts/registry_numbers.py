"""Which registration and tax numbers are checked, country by country, and how.

A company's registration number (the trade or company register's number) and its tax number are
checked with python-stdnum where it knows the country's format: the number is compacted (spaces,
dots, dashes dropped; letters upper-cased), its length, characters and check digits are checked,
and the compact form is what is stored. A number that breaks the format is refused with a message
that says the format expected, in words. A country whose format is not in the table below keeps the
number as entered (trimmed) and the number is shown to the moderators as "format not checked".

Choices made here (README "Company verification"):
- Türkiye: the tax number is the 10-digit VKN; trade register numbers (MERSİS, ticaret sicil) are
  not checked.
- China: the 18-character Unified Social Credit Code (USCC) is both the registration and the tax
  number.
- Brazil: the 14-digit CNPJ is both.
- Germany: the tax number is the USt-IdNr (DE + 9 digits). The Handelsregisternummer is not
  checked: it is only unique with its court and is written in many ways (e.g. "HRB 104233").
- France: the registration number is the 9-digit SIREN.
- Every other EU member state: the tax number is its VAT number, with its country prefix (EL for
  Greece), which is added when the number is entered without it.
- United Kingdom: VAT number; United States: the EIN; India: the GSTIN; Kenya: the KRA PIN.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REGISTRATION = "registration"
TAX = "tax"
NUMBER_KINDS = [(REGISTRATION, "registration"), (TAX, "tax")]

VALID = "valid"
NOT_CHECKED = "not_checked"
INVALID = "invalid"
MISSING = "missing"


@dataclass(frozen=True)
class NumberFormat:
    """A number format that python-stdnum checks: its module, its short name and the format in words."""

    module: str
    name: str
    expected: Promise
    vat_prefix: str = ""  # an EU VAT number: the country prefix that must lead it

    def stdnum(self):
        return importlib.import_module(self.module)


USCC = NumberFormat("stdnum.cn.uscc", "USCC", gettext_lazy(
    "Enter the 18-character Unified Social Credit Code (USCC), for example 91110000600037341L."))
CNPJ = NumberFormat("stdnum.br.cnpj", "CNPJ", gettext_lazy(
    "Enter the 14-digit Brazilian company number (CNPJ), for example 11.222.333/0001-81."))
VKN = NumberFormat("stdnum.tr.vkn", "VKN", gettext_lazy(
    "A Turkish tax number (VKN) has 10 digits, the last one a check digit, for example 1234567890."))
SIREN = NumberFormat("stdnum.fr.siren", "SIREN", gettext_lazy(
    "Enter the 9-digit French company number (SIREN), for example 732 829 320."))
GB_VAT = NumberFormat("stdnum.gb.vat", "VAT", gettext_lazy(
    "Enter the UK VAT number: 9 digits (12 for a branch), for example GB980780684."), vat_prefix="GB")
EIN = NumberFormat("stdnum.us.ein", "EIN", gettext_lazy(
    "Enter the 9-digit Employer Identification Number (EIN), for example 04-2103594."))
GSTIN = NumberFormat("stdnum.in_.gstin", "GSTIN", gettext_lazy(
    "Enter the 15-character GST identification number (GSTIN), for example 27AAPFU0939F1ZV."))
KE_PIN = NumberFormat("stdnum.ke.pin", "PIN", gettext_lazy(
    "Enter the 11-character KRA PIN: a letter, 9 digits and a letter, for example P051365947M."))
DE_VAT = NumberFormat("stdnum.eu.vat", "USt-IdNr", gettext_lazy(
    "Enter the German VAT number (USt-IdNr): DE and 9 digits, for example DE136695976."), vat_prefix="DE")

EU_VAT_EXPECTED = gettext_lazy("Enter the VAT number of this EU country: %(prefix)s followed by the national "
                               "VAT number.")


def _eu_vat(country: str) -> NumberFormat:
    prefix = "EL" if country == "GR" else country
    return NumberFormat("stdnum.eu.vat", "VAT", EU_VAT_EXPECTED, vat_prefix=prefix)


EU_MEMBER_STATES = ("AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "GR", "HR", "HU", "IE", "IT", "LT",
                    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")

FORMATS: dict[tuple[str, str], NumberFormat] = {
    ("TR", TAX): VKN,
    ("CN", REGISTRATION): USCC,
    ("CN", TAX): USCC,
    ("BR", REGISTRATION): CNPJ,
    ("BR", TAX): CNPJ,
    ("DE", TAX): DE_VAT,
    ("FR", REGISTRATION): SIREN,
    ("FR", TAX): _eu_vat("FR"),
    ("GB", TAX): GB_VAT,
    ("US", TAX): EIN,
    ("IN", TAX): GSTIN,
    ("KE", TAX): KE_PIN,
    **{(country, TAX): _eu_vat(country) for country in EU_MEMBER_STATES},
}


@dataclass(frozen=True)
class NumberCheck:
    """A number as stored and what its check found: VALID, NOT_CHECKED, INVALID or MISSING."""

    kind: str
    number: str
    result: str
    name: str = ""  # the format's short name (VKN, USCC ...) when the country's format is known

    @property
    def label(self) -> str:
        """In words, for the moderators: "VKN valid", "format not checked"."""
        if self.result == MISSING:
            return _("missing")
        if self.result == NOT_CHECKED:
            return _("format not checked")
        if self.result == VALID:
            return _("%(name)s valid") % {"name": self.name}
        return _("%(name)s invalid") % {"name": self.name}


def number_format(*, country: str, kind: str) -> NumberFormat | None:
    return FORMATS.get((str(country or "").upper(), kind))


def _expected(fmt: NumberFormat) -> str:
    return str(fmt.expected) % {"prefix": fmt.vat_prefix} if "%(prefix)s" in str(fmt.expected) else str(fmt.expected)


def expected_format(*, country: str, kind: str) -> str:
    """The country's format of the number in words ("" when it is not checked)."""
    fmt = number_format(country=country, kind=kind)
    return _expected(fmt) if fmt else ""


def number_normalise(*, country: str, kind: str, number: str) -> NumberCheck:
    """The number in the form it is stored, and whether its format was checked. Raises a
    ValidationError naming the expected format when the country's format is known and the number
    breaks it."""
    from stdnum.exceptions import ValidationError as StdnumError

    entered = " ".join(str(number or "").split())
    if not entered:
        return NumberCheck(kind, "", MISSING)
    fmt = number_format(country=country, kind=kind)
    if fmt is None:
        return NumberCheck(kind, entered, NOT_CHECKED)
    module = fmt.stdnum()
    refused = ValidationError(_expected(fmt), code="invalid_number_format")
    try:
        raw = re.sub(r"[\s.\-/]", "", entered).upper()
        if fmt.vat_prefix:
            if not raw[:2].isalpha():
                raw = fmt.vat_prefix + raw
            if raw[:2] == "GR":
                raw = "EL" + raw[2:]
            if raw[:2] != fmt.vat_prefix:
                raise refused
        compact = module.validate(raw)
        if fmt.vat_prefix and not compact.startswith(fmt.vat_prefix):  # some validators drop the prefix
            compact = fmt.vat_prefix + compact
    except (StdnumError, ValueError, TypeError, IndexError) as exc:
        raise refused from exc
    return NumberCheck(kind, compact, VALID, fmt.name)


def number_check(*, country: str, kind: str, number: str) -> NumberCheck:
    """What the check finds for a stored number, without raising (numbers stored before their
    country's format was known are shown as invalid)."""
    try:
        return number_normalise(country=country, kind=kind, number=number)
    except ValidationError:
        fmt = number_format(country=country, kind=kind)
        return NumberCheck(kind, number, INVALID, fmt.name if fmt else "")


def company_number_checks(company) -> dict[str, NumberCheck]:
    """The check of the company's registration and tax numbers. No query."""
    country = str(company.country)
    return {REGISTRATION: number_check(country=country, kind=REGISTRATION, number=company.registration_number),
            TAX: number_check(country=country, kind=TAX, number=company.tax_number)}
