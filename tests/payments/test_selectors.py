"""Which account a buyer is told to pay into, and who reads a company's accounts."""
from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from payments.selectors import bank_account_for_payment, bank_account_get, bank_account_list
from tests.payments.helpers import make_account

pytestmark = pytest.mark.django_db

IBAN_2 = "TR900001000000000006295310"
IBAN_3 = "TR340001000000000001234567"


def test_default_account_in_the_order_currency_comes_first(company_a, django_assert_num_queries):
    make_account(company_a, label="TRY other", iban=IBAN_2)
    make_account(company_a, label="EUR default", currency="EUR", iban=IBAN_3, is_default=True)
    wanted = make_account(company_a, label="TRY default", is_default=True)

    with django_assert_num_queries(1):
        account = bank_account_for_payment(seller_id=company_a.pk, currency="TRY")

    assert account.pk == wanted.pk


def test_without_one_in_the_currency_a_default_in_another_currency(company_a):
    make_account(company_a, label="TRY plain")
    wanted = make_account(company_a, label="EUR default", currency="EUR", iban=IBAN_2, is_default=True)

    assert bank_account_for_payment(seller_id=company_a.pk, currency="USD").pk == wanted.pk


def test_without_defaults_a_live_account_in_the_currency_then_any_live_account(company_a):
    oldest = make_account(company_a, label="EUR plain", currency="EUR", iban=IBAN_2)
    try_plain = make_account(company_a, label="TRY plain")

    assert bank_account_for_payment(seller_id=company_a.pk, currency="TRY").pk == try_plain.pk
    assert bank_account_for_payment(seller_id=company_a.pk, currency="USD").pk == oldest.pk


def test_archived_accounts_are_never_offered(company_a, company_b):
    make_account(company_a, is_default=True, archived_at=timezone.now())

    assert bank_account_for_payment(seller_id=company_a.pk, currency="TRY") is None
    assert bank_account_for_payment(seller_id=company_b.pk, currency="TRY") is None


def test_members_list_their_live_accounts_and_outsiders_get_404(company_a, member_a, staff_a, member_b):
    live = make_account(company_a, label="Live")
    archived = make_account(company_a, label="Old", iban=IBAN_2, archived_at=timezone.now())

    assert [a.pk for a in bank_account_list(actor=staff_a, company_id=company_a.pk)] == [live.pk]
    assert [a.pk for a in bank_account_list(actor=member_a, company_id=company_a.pk, include_archived=True)] == [
        live.pk, archived.pk]
    assert bank_account_get(actor=member_a, company_id=company_a.pk, pk=archived.pk).pk == archived.pk
    with pytest.raises(Http404):
        bank_account_list(actor=member_b, company_id=company_a.pk)
    with pytest.raises(Http404):
        bank_account_get(actor=member_b, company_id=company_a.pk, pk=live.pk)
    with pytest.raises(Http404):
        bank_account_get(actor=member_a, company_id=company_a.pk, pk="x")
