"""Writes for sellers' bank accounts: an owner of the company adds, changes and archives them.

What an account must hold depends on the bank's country:
- a country whose banks use IBANs (schwifty's IBAN registry, leaving out the countries whose IBAN
  is only planned): an IBAN of that country, checked for length, layout and check digits;
- any other country (China, the United States, Japan, India ...): an account number of 1 to 34
  letters or digits. Where an IBAN is only planned, an IBAN is accepted instead.
Every account names its bank's SWIFT/BIC (8 or 11 characters) of a bank in the same country, which
buyers abroad need to send a transfer.

Every write locks the company row first, so two writes cannot both make an account the default of
a currency; the partial unique constraint on live defaults backs it up."""
from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN, registry
from schwifty import exceptions as schwifty_errors

from accounts.models import Company, User
from accounts.selectors import membership_get
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.inputs import country_code, field_error
from core.validators import CURRENCY_CODES, validate_plain_text
from trade.selectors import country_name

from .models import BankAccount
from .selectors import bank_account_can_change

# Longest input looked at before spaces are removed (an IBAN has at most 34 characters, printed
# in groups with up to 8 spaces).
MAX_RAW_ACCOUNT_LENGTH = 64
ACCOUNT_NUMBER = re.compile(r"^[A-Z0-9]{1,34}$")
TEXT_FIELDS = ("label", "account_holder", "bank_name")
FIELDS = ("label", "account_holder", "iban", "account_number", "bic", "bank_name", "bank_country", "currency",
          "is_default")


def _lock_company(*, company: Company, actor: User) -> Company:
    """Members who are not owners get 403; anyone else gets 404, as if the company had no accounts."""
    if not bank_account_can_change(actor=actor, company=company):
        if membership_get(actor=actor, company=company) is None:
            raise Http404
        raise Forbidden(_("Only an owner of this company can change its bank accounts."))
    return Company.objects.select_for_update().get(pk=company.pk)


# --- checks of single values ---------------------------------------------------------------------

def iban_country_uses_iban(country: str) -> bool:
    """True where banks give every account an IBAN; False where none is defined or it is only planned."""
    try:
        return not registry.get_iban_spec(country).aspirational
    except schwifty_errors.InvalidCountryCode:
        return False


def _compact(value: Any, field: str) -> str:
    text = str(value or "")
    if len(text) > MAX_RAW_ACCOUNT_LENGTH:
        raise field_error(field, _("Enter at most %(max)d characters.") % {"max": MAX_RAW_ACCOUNT_LENGTH})
    return re.sub(r"[\s\-]+", "", text).upper()


def clean_iban(value: Any, *, bank_country: str) -> str:
    """The IBAN without spaces in upper case, or a field error saying what is wrong with it."""
    iban = _compact(value, "iban")
    country = iban[:2]
    if not re.match(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]+$", iban):
        raise field_error("iban", _("An IBAN starts with the two-letter code of the bank's country and two check "
                               "digits, followed by letters and digits, e.g. DE89 3704 0044 0532 0130 00."))
    try:
        spec = registry.get_iban_spec(country)
    except schwifty_errors.InvalidCountryCode:
        if country_name(country) != country:
            message = _("Banks in %(country)s do not use IBANs; enter the account number instead.") % {
                "country": country_name(country)}
        else:
            message = _("%(code)s is not a country code; an IBAN starts with the bank's country, e.g. DE or TR.") % {
                "code": country}
        raise field_error("iban", message) from None
    try:
        parsed = IBAN(iban)
    except schwifty_errors.InvalidLength:
        raise field_error("iban", _("An IBAN from %(country)s has %(expected)d characters; this one has %(length)d.")
                     % {"country": country_name(country), "expected": spec.iban_length,
                        "length": len(iban)}) from None
    except schwifty_errors.InvalidChecksumDigits:
        raise field_error("iban", _("The check digits of this IBAN do not match: look for a mistyped or swapped "
                               "character.")) from None
    except schwifty_errors.SchwiftyException:
        raise field_error("iban", _("This is not laid out like an IBAN from %(country)s: some characters are letters "
                               "where digits belong, or the other way round.")
                     % {"country": country_name(country)}) from None
    if parsed.country_code != bank_country:
        raise field_error("iban", _("This IBAN is from %(iban_country)s, but the bank country is %(bank_country)s.")
                     % {"iban_country": country_name(parsed.country_code),
                        "bank_country": country_name(bank_country)})
    return parsed.compact


def clean_bic(value: Any, *, bank_country: str) -> str:
    bic = _compact(value, "bic")
    if not bic:
        raise field_error("bic", _("Enter the SWIFT/BIC of the bank."))
    try:
        parsed = BIC(bic)
    except schwifty_errors.InvalidLength:
        raise field_error("bic", _("A SWIFT/BIC has 8 or 11 characters; this one has %(length)d.")
                     % {"length": len(bic)}) from None
    except schwifty_errors.InvalidCountryCode:
        raise field_error("bic", _("Characters 5 and 6 of a SWIFT/BIC are the bank's country code; %(code)s is not "
                              "a country.") % {"code": bic[4:6]}) from None
    except schwifty_errors.SchwiftyException:
        raise field_error("bic", _("A SWIFT/BIC is 4 letters for the bank, 2 letters for the country, 2 letters or "
                              "digits for the place and, optionally, 3 for the branch.")) from None
    if parsed.country_code != bank_country:
        raise field_error("bic", _("This SWIFT/BIC is of a bank in %(bic_country)s, but the bank country is "
                              "%(bank_country)s.") % {"bic_country": country_name(parsed.country_code),
                                                      "bank_country": country_name(bank_country)})
    return parsed.compact


def _clean_account_number(value: Any) -> str:
    number = _compact(value, "account_number")
    if number and not ACCOUNT_NUMBER.match(number):
        raise field_error("account_number", _("An account number has 1 to 34 letters or digits."))
    return number


def _clean_text(field: str, value: Any) -> str:
    text = " ".join(str(value or "").split())
    model_field = BankAccount._meta.get_field(field)
    if not text:
        raise field_error(field, _("This field is required."))
    if len(text) > model_field.max_length:
        raise field_error(field, _("Enter at most %(max)d characters.") % {"max": model_field.max_length})
    try:
        validate_plain_text(text)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None
    return text


def _clean_currency(value: Any) -> str:
    currency = str(value or "").strip().upper()
    if currency not in CURRENCY_CODES:
        raise field_error("currency", _("%(value)s is not an ISO 4217 currency code.") % {"value": str(value)[:10]})
    return currency


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Checks a whole account: each value, then how the IBAN, the account number and the BIC fit
    the bank's country."""
    cleaned: dict[str, Any] = {field: _clean_text(field, data.get(field)) for field in TEXT_FIELDS}
    country = country_code(data.get("bank_country"), field="bank_country")
    cleaned["bank_country"] = country
    cleaned["currency"] = _clean_currency(data.get("currency"))
    raw_iban = _compact(data.get("iban"), "iban")
    number = _clean_account_number(data.get("account_number"))
    if iban_country_uses_iban(country):
        if not raw_iban:
            raise field_error("iban", _("Banks in %(country)s use IBANs: enter the IBAN of the account.")
                         % {"country": country_name(country)})
        if number:
            raise field_error("account_number", _("Banks in %(country)s use IBANs: leave the account number empty.")
                         % {"country": country_name(country)})
        cleaned["iban"], cleaned["account_number"] = clean_iban(raw_iban, bank_country=country), ""
    elif raw_iban and not number:
        # Only where an IBAN is planned for the country (schwifty knows its layout).
        cleaned["iban"], cleaned["account_number"] = clean_iban(raw_iban, bank_country=country), ""
    else:
        if raw_iban:
            raise field_error("iban", _("Banks in %(country)s do not use IBANs; enter the account number instead.")
                         % {"country": country_name(country)})
        if not number:
            raise field_error("account_number", _("Enter the account number: banks in %(country)s do not use IBANs.")
                         % {"country": country_name(country)})
        cleaned["iban"], cleaned["account_number"] = "", number
    cleaned["bic"] = clean_bic(data.get("bic"), bank_country=country)
    cleaned["is_default"] = bool(data.get("is_default", False))
    return cleaned


# --- writes --------------------------------------------------------------------------------------

def _check_not_duplicate(*, company: Company, cleaned: dict[str, Any], account: BankAccount | None) -> None:
    others = BankAccount.objects.filter(company=company, archived_at__isnull=True)
    if account is not None:
        others = others.exclude(pk=account.pk)
    if cleaned["iban"] and others.filter(iban=cleaned["iban"]).exists():
        raise Conflict(_("You already have an account with this IBAN."), code="duplicate_account",
                       fields={"iban": [_("You already have an account with this IBAN.")]})
    if cleaned["account_number"] and others.filter(account_number=cleaned["account_number"],
                                                   bic=cleaned["bic"]).exists():
        message = _("You already have an account with this account number at this bank.")
        raise Conflict(message, code="duplicate_account", fields={"account_number": [message]})


def _save(*, account: BankAccount) -> BankAccount:
    try:
        with transaction.atomic():
            if account.is_default:
                (BankAccount.objects.filter(company_id=account.company_id, currency=account.currency,
                                            is_default=True, archived_at__isnull=True)
                 .exclude(pk=account.pk).update(is_default=False, updated_at=timezone.now()))
            account.save()
    except IntegrityError as exc:
        raise Conflict(_("Another change to your bank accounts was saved at the same time. Try again.")) from exc
    return account


@transaction.atomic
def bank_account_create(*, company: Company, actor: User, label: str, account_holder: str, bank_name: str,
                        bank_country: str, currency: str, bic: str, iban: str = "", account_number: str = "",
                        is_default: bool = False) -> BankAccount:
    """An owner adds an account. Made the default of its currency, it replaces the previous default."""
    company = _lock_company(company=company, actor=actor)
    cleaned = _clean({"label": label, "account_holder": account_holder, "bank_name": bank_name,
                      "bank_country": bank_country, "currency": currency, "bic": bic, "iban": iban,
                      "account_number": account_number, "is_default": is_default})
    _check_not_duplicate(company=company, cleaned=cleaned, account=None)
    return _save(account=BankAccount(company=company, created_by=actor, **cleaned))


def _locked_live(*, account: BankAccount, company: Company) -> BankAccount:
    locked = BankAccount.objects.select_for_update().filter(pk=account.pk, company=company).first()
    if locked is None:
        raise Http404
    return locked


@transaction.atomic
def bank_account_update(*, account: BankAccount, actor: User, data: dict[str, Any]) -> BankAccount:
    """Changes the fields in `data` (any of FIELDS); the account is checked again as a whole. An
    archived account cannot be changed."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ApplicationError(_("These fields cannot be set."), code="validation_error",
                               fields={name: [_("This field cannot be set.")] for name in unknown})
    company = _lock_company(company=account.company, actor=actor)
    locked = _locked_live(account=account, company=company)
    if locked.is_archived:
        raise Conflict(_("This bank account is archived; it cannot be changed."), code="account_archived")
    current = {field: getattr(locked, field) for field in FIELDS}
    current["bank_country"] = str(locked.bank_country)
    cleaned = _clean({**current, **data})
    _check_not_duplicate(company=company, cleaned=cleaned, account=locked)
    for field, value in cleaned.items():
        setattr(locked, field, value)
    return _save(account=locked)


@transaction.atomic
def bank_account_archive(*, account: BankAccount, actor: User) -> BankAccount:
    """No longer offered for payments; kept for the orders that name it. Archiving twice changes nothing."""
    company = _lock_company(company=account.company, actor=actor)
    locked = _locked_live(account=account, company=company)
    if not locked.is_archived:
        locked.archived_at = timezone.now()
        locked.is_default = False
        locked.save(update_fields=["archived_at", "is_default", "updated_at"])
    return locked
