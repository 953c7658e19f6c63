"""Ships-to you can trust: a listing's effective destinations are its ships-to setting intersected
with the countries of its seller's shipping zones that have a rate. The browse filter, the API, the
landed-cost estimate and the seller's warnings all ask that one rule."""
from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from core.exceptions import ApplicationError
from marketplace import selectors
from marketplace.models import ListingStatus, ShipsToMode
from marketplace.selectors import SearchParams, ShipsTo, listing_search
from tests.factories.marketplace import PublishedListingFactory
from tests.marketplace.conftest import LISTINGS, assert_unchanged, detail_url, ship_to
from trade import selectors as trade_selectors
from trade.models import ShippingZone, ShippingZoneCountry

pytestmark = pytest.mark.django_db

ALL_BUT_RU = {"mode": ShipsToMode.ALL_EXCEPT, "listed": frozenset({"RU"})}


def found(country: str) -> list[int]:
    return [listing.pk for listing in listing_search(params=SearchParams(ships_to=country))]


# --- the rule -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "listed", "zones", "expected"), [
    (ShipsToMode.ONLY, {"DE", "FR", "NL"}, {"DE", "FR", "US"}, ["DE", "FR"]),
    (ShipsToMode.ALL_EXCEPT, {"RU"}, {"DE", "RU", "US"}, ["DE", "US"]),
    (ShipsToMode.ALL_EXCEPT, set(), {"KE"}, ["KE"]),
    (ShipsToMode.ONLY, {"DE"}, set(), []),
    (ShipsToMode.ALL_EXCEPT, set(), set(), []),
])
def test_effective_destinations_are_the_setting_intersected_with_the_rated_zones(mode, listed, zones, expected):
    ships_to = ShipsTo(mode=mode, listed=frozenset(listed), seller_countries=frozenset(zones))
    assert ships_to.countries == expected
    assert ships_to.seller_has_rates is bool(zones)


def test_unrated_destinations():
    only = ShipsTo(mode=ShipsToMode.ONLY, listed=frozenset({"DE", "FR", "NL"}), seller_countries=frozenset({"DE"}))
    assert only.unrated == ["FR", "NL"]
    everywhere = ShipsTo(seller_countries=frozenset({"DE", "FR"}), **ALL_BUT_RU)
    assert len(everywhere.unrated) == 249 - 3  # every country but Russia, Germany and France
    assert "DE" not in everywhere.unrated and "RU" not in everywhere.unrated


def test_the_filter_agrees_with_the_rule_for_every_mode_and_zone(seller, other_seller):
    """The SQL condition of the browse filter and ShipsTo answer alike for each combination."""
    ship_to(seller, ["DE", "FR"])
    listings = [
        PublishedListingFactory(seller=company, ships_to_mode=mode, ships_to_countries=countries)
        for company, (mode, countries) in itertools.product(
            [seller, other_seller],
            [(ShipsToMode.ONLY, ["DE"]), (ShipsToMode.ONLY, ["US"]), (ShipsToMode.ALL_EXCEPT, ["FR"]),
             (ShipsToMode.ALL_EXCEPT, [])])]
    rules = selectors.listing_ships_to_map(listings)
    for country in ("DE", "FR", "US", "JP"):
        expected = sorted((listing.pk for listing in listings if rules[listing.pk].ships_to(country)), reverse=True)
        assert sorted(found(country), reverse=True) == expected, country
    # Seller with zones DE, FR: only DE ships to DE; all-except-FR ships to DE; all ships to DE.
    assert sorted(found("DE")) == [listings[0].pk, listings[2].pk, listings[3].pk]
    assert sorted(found("FR")) == [listings[3].pk]
    assert found("US") == []


def test_a_zone_without_a_rate_is_no_destination(seller):
    zone = ShippingZone.objects.create(seller=seller, name="Europe, rates to come")
    ShippingZoneCountry.objects.create(zone=zone, seller=seller, country="DE")
    listing = PublishedListingFactory(seller=seller)

    assert found("DE") == []
    assert selectors.listing_ships_to_map([listing])[listing.pk].countries == []


def test_the_issue_case_every_country_without_a_zone_is_found_nowhere(seller):
    PublishedListingFactory(seller=seller, ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=[])
    assert [found(country) for country in ("DE", "TR", "US")] == [[], [], []]


# --- API ------------------------------------------------------------------------------------------

def test_api_detail_shows_the_effective_destinations(api_client, seller, make_listing):
    ship_to(seller, ["US", "DE", "RU"])
    listing = make_listing(ListingStatus.PUBLISHED, ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=["RU"])

    body = api_client.get(detail_url(listing)).json()

    assert (body["ships_to_mode"], body["ships_to_countries"], body["effective_ships_to"]) == (
        "all_except", ["RU"], ["DE", "US"])
    assert body["shipping_warnings"] == []  # only the seller's members see them


def test_api_list_filter_uses_the_effective_destinations(api_client, seller, other_seller, make_listing):
    ship_to(seller, ["DE"])
    covered = make_listing(ListingStatus.PUBLISHED, title="Covered")
    make_listing(ListingStatus.PUBLISHED, seller=other_seller, title="No zone")

    response = api_client.get(LISTINGS, {"ships_to": "DE"})

    assert [row["id"] for row in response.json()["results"]] == [covered.pk]


def test_api_submit_carries_the_shipping_warning(as_user, owner, seller, draft):
    ship_to(seller, ["DE"])
    draft_only = draft
    client = as_user(owner)
    client.patch(detail_url(draft_only), {"ships_to_mode": "only", "ships_to_countries": ["DE", "FR", "NL"]},
                 format="json")

    response = client.post(f"{detail_url(draft_only)}submit/", {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["effective_ships_to"]) == ("pending_review", ["DE"])
    assert body["shipping_warnings"] == [
        "No shipping rate for: France, Netherlands. Buyers do not see these destinations until a shipping zone "
        "with rates covers them."]


def test_api_submit_without_any_shipping_rate_warns_but_submits(as_user, owner, draft):
    response = as_user(owner).post(f"{detail_url(draft)}submit/", {}, format="json")

    assert (response.status_code, response.json()["status"]) == (200, "pending_review")
    assert response.json()["shipping_warnings"] == [
        "Your company has no shipping rates yet, so buyers see that this listing ships nowhere and cannot order it. "
        "Add a shipping zone with rates."]


def test_all_except_warning_counts_the_unrated_countries(seller, make_listing):
    ship_to(seller, ["DE", "FR"])
    listing = make_listing(ListingStatus.DRAFT, ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=["RU"])
    loaded = selectors.listing_get_for_actor(actor=listing.seller.memberships.first().user, pk=listing.pk)

    assert selectors.listing_shipping_warnings(selectors.listing_ships_to(loaded)) == [
        "This listing ships to every country except the listed ones, but only 2 of them have a shipping rate: "
        "France, Germany. Buyers see only those; 246 other countries have no shipping rate."]


# --- the landed-cost estimate -------------------------------------------------------------------

def _estimate(listing, country: str):
    return trade_selectors.listing_landed_cost(actor=AnonymousUser(), listing_id=listing.pk, quantity=listing.moq,
                                               destination_country=country, incoterm="FOB")


def test_estimate_for_an_effective_destination(seller, make_listing):
    ship_to(seller, ["DE"], price="80.00")
    listing = make_listing(ListingStatus.PUBLISHED, incoterms=["FOB"])

    assert _estimate(listing, "DE").estimate.shipping == 80


def test_estimate_refuses_a_destination_of_the_setting_that_no_zone_covers(seller, make_listing):
    ship_to(seller, ["DE"])
    listing = make_listing(ListingStatus.PUBLISHED, incoterms=["FOB"], ships_to_mode=ShipsToMode.ONLY,
                           ships_to_countries=["DE", "FR"])

    with assert_unchanged(), pytest.raises(ApplicationError) as caught:
        _estimate(listing, "FR")
    assert (caught.value.code, caught.value.fields) == (
        "no_shipping", {"destination_country": ["Alpha Textiles does not ship to France."]})


def test_estimate_refuses_a_country_the_setting_excludes_even_with_a_zone(seller, make_listing):
    ship_to(seller, ["DE", "RU"])
    listing = make_listing(ListingStatus.PUBLISHED, incoterms=["FOB"], ships_to_mode=ShipsToMode.ALL_EXCEPT,
                           ships_to_countries=["RU"])

    with pytest.raises(ApplicationError) as caught:
        _estimate(listing, "RU")
    assert (caught.value.code, caught.value.fields) == (
        "no_shipping", {"destination_country": ["This listing is not shipped to Russia."]})
