"""The seller's bank account pages: list, new, edit and archive, with the services' rules as form
errors in words."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import CompanyKind, MembershipRole
from payments.models import BankAccount
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.payments.helpers import TURKISH_IBAN, account_data, make_account, snapshot

pytestmark = pytest.mark.django_db

LIST = "/seller/bank-accounts/"
NEW = "/seller/bank-accounts/new/"
IBAN_2 = "TR900001000000000006295310"
# Session, user, the seller's membership (page guard) and the header's company, membership and
# unread count, the unread messages of the "Messages" link; the company and the membership of the
# list, the accounts, the owner check.
EXPECTED_LIST_QUERIES = 10


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Tekstil A.S.", country="TR", default_currency="TRY", kind=CompanyKind.SELLER)


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def staff(seller):
    return MembershipFactory(company=seller, role=MembershipRole.STAFF).user


def _edit(account) -> str:
    return f"/seller/bank-accounts/{account.pk}/edit/"


def _archive(account) -> str:
    return f"/seller/bank-accounts/{account.pk}/archive/"


def _form(**overrides) -> dict:
    data = account_data(**overrides)
    data["is_default"] = "on" if data["is_default"] else ""
    return data


def test_list_shows_accounts_with_currency_and_a_link_from_my_listings(client, seller, owner):
    make_account(seller, is_default=True)
    client.force_login(owner)

    response = client.get(LIST)
    listings = client.get("/seller/listings/")

    assertContains(response, "TR33 0006 1005 1978 6457 8413 26")
    assertContains(response, "<td>TRY</td>", html=True)
    assertContains(response, 'id="new-account-link"')
    assertContains(listings, f'href="{LIST}"')


def test_list_queries_do_not_grow_with_the_number_of_accounts(client, seller, owner):
    client.force_login(owner)
    make_account(seller)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for index in range(6):
        make_account(seller, label=f"USD {index}", iban="", account_number=f"98765{index}", bic="CHASUS33",
                     bank_country="US", currency="USD")

    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)

    assertContains(response, "USD 5")
    assert len(many) == len(one) == EXPECTED_LIST_QUERIES, [q["sql"] for q in many]


def test_owner_adds_an_account(client, seller, owner):
    client.force_login(owner)

    response = client.post(NEW, _form(iban="tr33 0006 1005 1978 6457 8413 26", is_default=True))

    assertRedirects(response, LIST)
    account = BankAccount.objects.get()
    assert (account.company_id, account.iban, account.is_default, account.created_by_id) == (
        seller.pk, TURKISH_IBAN, True, owner.pk)


def test_a_bad_iban_is_explained_next_to_the_field(client, seller, owner):
    client.force_login(owner)
    before = snapshot()

    response = client.post(NEW, _form(iban="DE8937040044053201300", bank_country="DE", bic="COBADEFFXXX"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"iban": ["An IBAN from Germany has 22 characters; this one has 21."]}
    assertContains(response, "An IBAN from Germany has 22 characters; this one has 21.", status_code=400)
    assert snapshot() == before


def test_owner_edits_and_archives(client, seller, owner):
    account = make_account(seller)
    client.force_login(owner)

    assert client.get(_edit(account)).status_code == 200
    edited = client.post(_edit(account), _form(label="Renamed"))
    archived = client.post(_archive(account))

    assertRedirects(edited, LIST)
    assertRedirects(archived, LIST)
    account.refresh_from_db()
    assert account.label == "Renamed"
    assert account.archived_at is not None


def test_staff_sees_but_cannot_change(client, seller, owner, staff):
    account = make_account(seller)
    client.force_login(staff)
    before = snapshot()

    page = client.get(LIST)
    created = client.post(NEW, _form(iban=IBAN_2))
    archived = client.post(_archive(account), follow=True)

    assertContains(page, "Only an owner of your company can add, change or archive bank accounts.")
    assertNotContains(page, 'id="new-account-link"')
    assert created.status_code == 400
    assert created.context["form"].non_field_errors() == ["Only an owner of this company can change its bank "
                                                          "accounts."]
    assertContains(archived, "Only an owner of this company can change its bank accounts.")
    assert snapshot() == before


def test_another_company_s_account_is_not_found(client, seller, owner):
    other = CompanyFactory(legal_name="Cable Works", country="TR", kind=CompanyKind.SELLER)
    account = make_account(other)
    client.force_login(owner)
    before = snapshot()

    assert client.get(_edit(account)).status_code == 404
    assert client.post(_archive(account)).status_code == 404
    assert snapshot() == before


def test_buyers_cannot_open_the_pages(client):
    buyer = CompanyFactory(kind=CompanyKind.BUYER)
    client.force_login(MembershipFactory(company=buyer).user)

    assert client.get(LIST).status_code == 403
