"""The display-currency chooser of /listings/: kept in the session, converted prices on the cards
with their currency and "approx.", price bounds in the chosen currency, and a fixed number of
queries; the seller's editor warns about destinations without a shipping rate."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import VerificationStatus
from fx.models import FxRate, FxSource
from marketplace.models import ShipsToMode
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import PublishedListingFactory
from tests.marketplace.conftest import ship_to

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"].object_list]


def card(response, listing) -> str:
    return re.search(rf'id="listing-{listing.pk}">.*?</article>', response.content.decode(), re.S).group(0)


@pytest.fixture
def towels():
    """A lira towel (90.00 TRY) and a yuan towel (15.60 CNY) at 40 TRY and 8 CNY per EUR."""
    for currency, rate in (("TRY", "40"), ("CNY", "8")):
        FxRate.objects.create(date=timezone.localdate(), currency=currency, rate=Decimal(rate),
                              source=FxSource.MANUAL)
    lira = CompanyFactory(default_currency="TRY", verification_status=VerificationStatus.VERIFIED)
    yuan = CompanyFactory(default_currency="CNY", verification_status=VerificationStatus.VERIFIED)
    return {"try": PublishedListingFactory(seller=lira, title="Lira towel", unit_price="90.00"),
            "cny": PublishedListingFactory(seller=yuan, title="Yuan towel", unit_price="15.60")}


def test_eur_until_a_currency_is_chosen(client, towels):
    response = client.get("/listings/")

    assert response.context["display"].code == "EUR"
    assert '<option value="EUR" selected>EUR</option>' in response.content.decode()
    assert "from <strong>90.00 TRY</strong> per piece" in card(response, towels["try"])
    assert "approx. 2.25 EUR at the latest exchange rate" in card(response, towels["try"])
    assert "approx. 1.95 EUR at the latest exchange rate" in card(response, towels["cny"])
    assert "display_currency" not in client.session


def test_the_chosen_currency_is_kept_in_the_session(client, towels):
    chosen = client.get("/listings/?currency=TRY")
    assert client.session["display_currency"] == "TRY"
    assert "approx. 78.00 TRY" in card(chosen, towels["cny"])
    assert "approx." not in card(chosen, towels["try"])  # already in lira: its own price only

    later = client.get("/listings/?sort=price_desc")

    assert later.context["display"].code == "TRY"
    assert '<option value="TRY" selected>TRY</option>' in later.content.decode()
    assert titles(later) == ["Lira towel", "Yuan towel"]  # 90.00 TRY, then 78.00 TRY
    assert titles(client.get("/listings/?price_min=78&price_max=78")) == ["Yuan towel"]  # bounds in TRY


def test_the_category_page_uses_the_chosen_currency_too(client, towels):
    client.get("/listings/?currency=CNY")
    response = client.get("/categories/textiles/?price_max=15.60")

    assert titles(response) == ["Yuan towel"]


def test_an_unknown_currency_is_a_form_error_and_leaves_the_session(client, towels):
    client.get("/listings/?currency=CNY")

    response = client.get("/listings/?currency=XYZ&price_max=2")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "currency": ["Select a valid choice. XYZ is not one of the available choices."]}
    assert response.context["display"].code == "EUR"  # the prices shown say which currency they are in
    assert titles(response) == ["Yuan towel"]  # 1.95 EUR
    assert client.session["display_currency"] == "CNY"


def test_query_count_with_a_chosen_currency_does_not_grow_with_the_page(client, towels):
    client.get("/listings/?currency=TRY")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/listings/?price_min=1&sort=price_asc").status_code == 200
        return len(captured)

    few = count()
    seller = towels["try"].seller
    for n in range(20):
        PublishedListingFactory(seller=seller, title=f"Towel {n}", unit_price="50.00")
    # the session, exchange rates, category choices, count, page (with each card's first picture and
    # Incoterms; a card shows no price tiers)
    assert count() == few == 5


# --- the seller's editor -------------------------------------------------------------------------

def test_the_editor_warns_about_destinations_without_a_rate(client_as):
    company = CompanyFactory(legal_name="Alpha Textiles", verification_status=VerificationStatus.VERIFIED)
    member = MembershipFactory(company=company).user
    ship_to(company, ["DE"])
    listing = PublishedListingFactory(seller=company, actor=member, ships_to_mode=ShipsToMode.ONLY,
                                      ships_to_countries=["DE", "FR"])

    response = client_as(member).get(f"/seller/listings/{listing.pk}/edit/")

    assert response.context["shipping_warnings"] == [
        "No shipping rate for: France. Buyers do not see these destinations until a shipping zone with rates "
        "covers them."]
    assert 'id="shipping-warnings"' in response.content.decode()


def test_the_editor_has_no_warning_when_every_destination_has_a_rate(client_as):
    company = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    member = MembershipFactory(company=company).user
    ship_to(company, ["DE", "FR"])
    listing = PublishedListingFactory(seller=company, actor=member, ships_to_mode=ShipsToMode.ONLY,
                                      ships_to_countries=["DE", "FR"])

    response = client_as(member).get(f"/seller/listings/{listing.pk}/edit/")

    assert response.context["shipping_warnings"] == []
    assert 'id="shipping-warnings"' not in response.content.decode()
