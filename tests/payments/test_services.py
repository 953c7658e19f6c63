"""Bank accounts: IBAN and BIC checks, the account-number path of countries without IBANs, defaults,
archiving and who may change what."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from accounts.models import MembershipRole
from core.exceptions import ApplicationError, Conflict, Forbidden
from payments.models import BankAccount
from payments.services import bank_account_archive, bank_account_create, bank_account_update
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.payments.helpers import GERMAN_BIC, GERMAN_IBAN, TURKISH_IBAN, account_data, make_account, snapshot

pytestmark = pytest.mark.django_db


def _create(company, actor, **overrides):
    return bank_account_create(company=company, actor=actor, **account_data(**overrides))


def _refused(company, actor, **overrides) -> ApplicationError:
    before = snapshot()
    with pytest.raises(ApplicationError) as caught:
        _create(company, actor, **overrides)
    assert snapshot() == before
    return caught.value


# --- IBAN ---------------------------------------------------------------------------------------

def test_owner_adds_an_iban_account(company_a, member_a):
    account = _create(company_a, member_a, is_default=True)

    account.refresh_from_db()
    assert (account.company_id, account.label, account.account_holder, account.iban, account.account_number,
            account.bic, str(account.bank_country), account.currency, account.is_default, account.archived_at,
            account.created_by_id) == (company_a.pk, "TRY main", "Alpha Textiles A.S.", TURKISH_IBAN, "",
                                       "TCZBTR2AXXX", "TR", "TRY", True, None, member_a.pk)
    assert account.iban_display == "TR33 0006 1005 1978 6457 8413 26"


def test_iban_in_lower_case_with_spaces_is_stored_compact(company_a, member_a):
    account = _create(company_a, member_a, iban="de89 3704 0044 0532 0130 00", bic="coba de ff xxx",
                      bank_country="de", currency="eur", bank_name="Commerzbank")

    assert (account.iban, account.bic, account.bank_country, account.currency) == (
        GERMAN_IBAN, GERMAN_BIC, "DE", "EUR")


def test_iban_with_a_wrong_check_digit_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, iban="TR340006100519786457841326")

    assert error.fields == {"iban": ["The check digits of this IBAN do not match: look for a mistyped or swapped "
                                     "character."]}


def test_iban_of_the_wrong_length_names_the_length_of_the_country(company_a, member_a):
    error = _refused(company_a, member_a, iban="DE8937040044053201300", bank_country="DE", bic=GERMAN_BIC)

    assert error.fields == {"iban": ["An IBAN from Germany has 22 characters; this one has 21."]}


def test_iban_of_another_country_than_the_bank_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, iban=GERMAN_IBAN)

    assert error.fields == {"iban": ["This IBAN is from Germany, but the bank country is Türkiye."]}


def test_iban_that_is_not_laid_out_like_one_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, iban="12345")

    assert error.fields == {"iban": ["An IBAN starts with the two-letter code of the bank's country and two check "
                                     "digits, followed by letters and digits, e.g. DE89 3704 0044 0532 0130 00."]}


def test_iban_is_required_where_banks_use_ibans(company_a, member_a):
    error = _refused(company_a, member_a, iban="", account_number="123456")

    assert error.fields == {"iban": ["Banks in Türkiye use IBANs: enter the IBAN of the account."]}


def test_account_number_beside_an_iban_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, account_number="123456")

    assert error.fields == {"account_number": ["Banks in Türkiye use IBANs: leave the account number empty."]}


def test_overlong_iban_input_is_refused_before_it_is_read(company_a, member_a):
    error = _refused(company_a, member_a, iban="TR" + "1" * 80)

    assert error.fields == {"iban": ["Enter at most 64 characters."]}


# --- BIC ----------------------------------------------------------------------------------------

def test_bic_of_a_bank_in_another_country_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, bic=GERMAN_BIC)

    assert error.fields == {"bic": ["This SWIFT/BIC is of a bank in Germany, but the bank country is Türkiye."]}


@pytest.mark.parametrize(("bic", "message"), [
    ("TCZBTR2", "A SWIFT/BIC has 8 or 11 characters; this one has 7."),
    ("TCZBTR2AXXXX", "A SWIFT/BIC has 8 or 11 characters; this one has 12."),
    ("TCZBZZ2A", "Characters 5 and 6 of a SWIFT/BIC are the bank's country code; ZZ is not a country."),
    ("TCZBTR!A", "A SWIFT/BIC is 4 letters for the bank, 2 letters for the country, 2 letters or digits for the "
                 "place and, optionally, 3 for the branch."),
    ("", "Enter the SWIFT/BIC of the bank."),
])
def test_malformed_bic_is_refused_in_words(company_a, member_a, bic, message):
    assert _refused(company_a, member_a, bic=bic).fields == {"bic": [message]}


# --- countries without IBAN -----------------------------------------------------------------------

def test_chinese_account_takes_an_account_number_and_a_bic(company_a, member_a):
    account = _create(company_a, member_a, iban="", account_number="6222 0212 3456 7890 123", bic="BKCHCNBJ",
                      bank_country="CN", currency="CNY", bank_name="Bank of China")

    assert (account.iban, account.account_number, account.bic, account.bank_country, account.account_display) == (
        "", "6222021234567890123", "BKCHCNBJ", "CN", "6222021234567890123")


def test_us_account_takes_an_account_number(company_a, member_a):
    account = _create(company_a, member_a, iban="", account_number="000123456789", bic="CHASUS33",
                      bank_country="US", currency="USD", bank_name="JPMorgan Chase")

    assert (account.account_number, account.bic) == ("000123456789", "CHASUS33")


def test_us_account_without_an_account_number_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, iban="", bic="CHASUS33", bank_country="US", currency="USD")

    assert error.fields == {"account_number": ["Enter the account number: banks in United States of America do not "
                                               "use IBANs."]}


def test_iban_for_a_country_without_ibans_is_refused(company_a, member_a):
    error = _refused(company_a, member_a, iban="CN12345678", bic="BKCHCNBJ", bank_country="CN", currency="CNY")

    assert error.fields == {"iban": ["Banks in China do not use IBANs; enter the account number instead."]}


@pytest.mark.parametrize("number", ["12-34/56", "1" * 35, "ÇÇ12"])
def test_account_number_of_other_characters_or_too_long_is_refused(company_a, member_a, number):
    error = _refused(company_a, member_a, iban="", account_number=number, bic="CHASUS33", bank_country="US",
                     currency="USD")

    assert error.fields == {"account_number": ["An account number has 1 to 34 letters or digits."]}


# --- other values ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("label", "", "This field is required."),
    ("label", "x" * 101, "Enter at most 100 characters."),
    ("account_holder", "<script>x</script>", "HTML tags and scripts are not allowed in this field."),
    ("bank_name", "b" * 141, "Enter at most 140 characters."),
    ("currency", "XYZ", "XYZ is not an ISO 4217 currency code."),
    ("bank_country", "ZZ", "ZZ is not an ISO 3166 country code."),
])
def test_other_values_are_checked(company_a, member_a, field, value, message):
    assert _refused(company_a, member_a, **{field: value}).fields == {field: [message]}


def test_the_same_iban_twice_is_refused(company_a, member_a):
    _create(company_a, member_a)

    error = _refused(company_a, member_a, label="Again")

    assert (type(error), error.code, error.fields) == (Conflict, "duplicate_account",
                                                       {"iban": ["You already have an account with this IBAN."]})


# --- defaults -------------------------------------------------------------------------------------

def test_a_new_default_replaces_the_previous_one_of_its_currency(company_a, member_a):
    first = _create(company_a, member_a, is_default=True)
    euro = _create(company_a, member_a, label="EUR", currency="EUR", is_default=True,
                   iban="TR900001000000000006295310")  # another Turkish account, in EUR

    second = _create(company_a, member_a, label="TRY second", iban="TR340001000000000001234567", is_default=True)

    rows = dict(BankAccount.objects.values_list("pk", "is_default"))
    assert rows == {first.pk: False, euro.pk: True, second.pk: True}


def test_database_allows_one_live_default_per_company_and_currency(company_a):
    make_account(company_a, is_default=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(company_a, is_default=True, iban="TR340001000000000001234567")


def test_database_requires_an_iban_or_an_account_number(company_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_account(company_a, iban="", account_number="")


def test_archived_default_does_not_block_a_new_default(company_a, member_a):
    old = _create(company_a, member_a, is_default=True)
    bank_account_archive(account=old, actor=member_a)

    new = _create(company_a, member_a, label="New", iban="TR340001000000000001234567", is_default=True)

    rows = [(pk, default, archived is None) for pk, default, archived in
            BankAccount.objects.order_by("pk").values_list("pk", "is_default", "archived_at")]
    assert rows == [(old.pk, False, False), (new.pk, True, True)]


# --- update and archive ---------------------------------------------------------------------------

def test_owner_switches_an_account_to_a_us_bank(company_a, member_a):
    account = _create(company_a, member_a)

    bank_account_update(account=account, actor=member_a, data={
        "bank_country": "US", "iban": "", "account_number": "987654321", "bic": "CHASUS33", "currency": "USD"})

    account.refresh_from_db()
    assert (account.iban, account.account_number, account.bic, account.bank_country, account.currency) == (
        "", "987654321", "CHASUS33", "US", "USD")


def test_update_that_breaks_the_account_changes_nothing(company_a, member_a):
    account = _create(company_a, member_a)
    before = snapshot()

    with pytest.raises(ApplicationError) as caught:
        bank_account_update(account=account, actor=member_a, data={"bank_country": "DE"})

    assert caught.value.fields == {"iban": ["This IBAN is from Türkiye, but the bank country is Germany."]}
    assert snapshot() == before


def test_update_refuses_unknown_fields(company_a, member_a):
    account = _create(company_a, member_a)
    before = snapshot()

    with pytest.raises(ApplicationError) as caught:
        bank_account_update(account=account, actor=member_a, data={"company": 99, "archived_at": None})

    assert caught.value.fields == {"archived_at": ["This field cannot be set."],
                                   "company": ["This field cannot be set."]}
    assert snapshot() == before


def test_archive_keeps_the_row_and_is_idempotent(company_a, member_a):
    account = _create(company_a, member_a, is_default=True)

    archived = bank_account_archive(account=account, actor=member_a)
    first_time = archived.archived_at
    again = bank_account_archive(account=account, actor=member_a)

    assert first_time is not None
    assert (again.archived_at, again.is_default) == (first_time, False)
    assert BankAccount.objects.count() == 1


def test_archived_account_cannot_be_changed(company_a, member_a):
    account = _create(company_a, member_a)
    bank_account_archive(account=account, actor=member_a)
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        bank_account_update(account=account, actor=member_a, data={"label": "Back"})

    assert (caught.value.code, caught.value.message) == ("account_archived",
                                                         "This bank account is archived; it cannot be changed.")
    assert snapshot() == before


# --- who may ----------------------------------------------------------------------------------------

def test_staff_member_may_not_change_accounts(company_a, member_a, staff_a):
    account = _create(company_a, member_a)
    before = snapshot()

    with pytest.raises(Forbidden):
        _create(company_a, staff_a, label="Staff", iban="TR340001000000000001234567")
    with pytest.raises(Forbidden):
        bank_account_update(account=account, actor=staff_a, data={"label": "Mine"})
    with pytest.raises(Forbidden):
        bank_account_archive(account=account, actor=staff_a)

    assert snapshot() == before


def test_outsider_gets_not_found(company_a, member_a, member_b):
    account = _create(company_a, member_a)
    before = snapshot()

    with pytest.raises(Http404):
        _create(company_a, member_b, label="Other", iban="TR340001000000000001234567")
    with pytest.raises(Http404):
        bank_account_update(account=account, actor=member_b, data={"label": "Mine"})
    with pytest.raises(Http404):
        bank_account_archive(account=account, actor=UserFactory())

    assert snapshot() == before


def test_owner_of_another_company_cannot_touch_an_account_through_their_company(company_a, company_b, member_a,
                                                                               member_b):
    account = _create(company_a, member_a)
    MembershipFactory(company=company_b, user=member_a, role=MembershipRole.STAFF)
    before = snapshot()

    with pytest.raises(Http404):
        bank_account_update(account=account, actor=member_b, data={"label": "Mine"})

    assert snapshot() == before
