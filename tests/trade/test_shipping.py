"""Shipping quotes by weight band and the seller's zone services."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.models import CompanyKind
from core.exceptions import ApplicationError, Conflict, Forbidden
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.trade.helpers import make_zone, trade_state
from trade import services
from trade.models import ShippingZone
from trade.selectors import shipping_quote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("weight", "price"), [
    ("0", "50.00"), ("0.5", "50.00"), ("10", "50.00"), ("10.001", "200.00"), ("100", "200.00"),
    ("100.5", "600.00"), ("500", "600.00"),
])
def test_the_smallest_band_that_takes_the_weight(company_a, zones, weight, price):
    assert shipping_quote(seller=company_a, destination_country="DE", weight_kg=D(weight)) == D(price)
    assert shipping_quote(seller=company_a, destination_country="fr", weight_kg=D(weight)) == D(price)


def test_above_the_largest_band_there_is_no_shipping(company_a, zones):
    with pytest.raises(ApplicationError) as exc:
        shipping_quote(seller=company_a, destination_country="DE", weight_kg=D("500.001"))
    message = "The shipment weighs 500.001 kg; Alpha Textiles ships at most 500 kg to Germany."
    assert (exc.value.code, exc.value.message, exc.value.fields) == (
        "no_shipping", message, {"destination_country": [message]})


def test_only_the_sellers_own_zones_count(company_a, company_b, zones):
    make_zone(company_b, "Asia", ["JP"], [("10", "5.00")])
    with pytest.raises(ApplicationError) as exc:
        shipping_quote(seller=company_a, destination_country="JP", weight_kg=D("1"))
    assert exc.value.fields == {"destination_country": ["Alpha Textiles does not ship to Japan."]}
    with pytest.raises(ApplicationError) as exc:
        shipping_quote(seller=company_b, destination_country="DE", weight_kg=D("1"))
    assert exc.value.fields == {"destination_country": ["Beta Circuits does not ship to Germany."]}
    assert shipping_quote(seller=company_b, destination_country="JP", weight_kg=D("1")) == D("5.00")


def test_a_negative_weight_is_refused(company_a, zones):
    with pytest.raises(ApplicationError) as exc:
        shipping_quote(seller=company_a, destination_country="DE", weight_kg=D("-1"))
    assert exc.value.fields == {"weight_kg": ["Enter a number of at least 0."]}


# --- zone services --------------------------------------------------------------------------------

RATES = [{"max_weight_kg": "100", "price": "200.00"}, {"max_weight_kg": D("10"), "price": D("50")}]


def zone_rows(zone: ShippingZone) -> tuple:
    zone.refresh_from_db()
    return (zone.seller_id, zone.name,
            list(zone.countries.order_by("country").values_list("country", "seller_id")),
            list(zone.rates.order_by("max_weight_kg").values_list("max_weight_kg", "price")))


def test_create_a_zone(company_a, member_a):
    zone = services.shipping_zone_create(seller=company_a, actor=member_a, name="  Europe ",
                                         countries=["fr", "DE", "de"], rates=RATES)
    assert zone_rows(zone) == (company_a.pk, "Europe", [("DE", company_a.pk), ("FR", company_a.pk)],
                               [(D("10.000"), D("50.00")), (D("100.000"), D("200.00"))])


def test_a_staff_member_may_create_a_zone(company_a, staff_a):
    zone = services.shipping_zone_create(seller=company_a, actor=staff_a, name="EU", countries=["DE"],
                                         rates=[{"max_weight_kg": "1", "price": "0"}])
    assert zone_rows(zone)[3] == [(D("1.000"), D("0.00"))]


@pytest.mark.parametrize(("kwargs", "fields"), [
    ({"name": " "}, {"name": ["This field is required."]}),
    ({"name": "<b>EU</b>"}, {"name": ["HTML tags and scripts are not allowed in this field."]}),
    ({"name": "x" * 101}, {"name": ["Ensure this value has at most 100 characters (it has 101)."]}),
    ({"countries": []}, {"countries": ["Give at least one country."]}),
    ({"countries": "DE"}, {"countries": ["Give at least one country."]}),
    ({"countries": ["DE", "XX"]}, {"countries": ["XX is not an ISO 3166 country code."]}),
    ({"countries": ["DEU"]}, {"countries": ["DEU is not an ISO 3166 country code."]}),
    ({"rates": []}, {"rates": ["Give at least one rate."]}),
    ({"rates": [{"max_weight_kg": "10"}]}, {"rates": ["Each rate needs max_weight_kg and price."]}),
    ({"rates": [{"max_weight_kg": "ten", "price": "1"}]}, {"rates": ["Enter max_weight_kg and price as numbers."]}),
    ({"rates": [{"max_weight_kg": "0", "price": "1"}]}, {"rates": ["A maximum weight must be greater than zero."]}),
    ({"rates": [{"max_weight_kg": "-5", "price": "1"}]}, {"rates": ["A maximum weight must be greater than zero."]}),
    ({"rates": [{"max_weight_kg": "NaN", "price": "1"}]}, {"rates": ["A maximum weight must be greater than zero."]}),
    ({"rates": [{"max_weight_kg": "5", "price": "-0.01"}]}, {"rates": ["A price cannot be negative."]}),
    ({"rates": [{"max_weight_kg": "5", "price": "1.005"}]},
     {"rates": ["price: Ensure that there are no more than 2 decimal places."]}),
    ({"rates": [{"max_weight_kg": "5.0001", "price": "1"}]},
     {"rates": ["max_weight_kg: Ensure that there are no more than 3 decimal places."]}),
    ({"rates": [{"max_weight_kg": "5", "price": "1"}, {"max_weight_kg": "5.000", "price": "2"}]},
     {"rates": ["Two rates have the same maximum weight (5 kg)."]}),
])
def test_invalid_input_changes_nothing(company_a, member_a, zones, kwargs, fields):
    before = trade_state()
    data = {"name": "Asia", "countries": ["JP", "CN"], "rates": RATES, **kwargs}
    with pytest.raises(ApplicationError) as exc:
        services.shipping_zone_create(seller=company_a, actor=member_a, **data)
    assert (exc.value.code, exc.value.status_code, exc.value.fields) == ("validation_error", 400, fields)
    assert trade_state() == before


def test_a_country_already_in_another_zone_is_a_conflict(company_a, member_a, zones):
    before = trade_state()
    with pytest.raises(Conflict) as exc:
        services.shipping_zone_create(seller=company_a, actor=member_a, name="Mixed",
                                      countries=["JP", "US", "DE"], rates=RATES)
    assert (exc.value.code, exc.value.status_code, exc.value.fields) == ("country_in_other_zone", 409, {
        "countries": ["Germany (DE) is already in your zone “Europe”.",
                      "United States of America (US) is already in your zone “Americas”."]})
    assert trade_state() == before


def test_another_seller_may_use_the_same_countries_and_name(company_b, member_b, zones):
    zone = services.shipping_zone_create(seller=company_b, actor=member_b, name="Europe", countries=["DE"],
                                         rates=RATES)
    assert zone_rows(zone)[:3] == (company_b.pk, "Europe", [("DE", company_b.pk)])


def test_a_duplicate_name_is_a_conflict(company_a, member_a, zones):
    before = trade_state()
    with pytest.raises(Conflict) as exc:
        services.shipping_zone_create(seller=company_a, actor=member_a, name="Europe", countries=["JP"], rates=RATES)
    assert (exc.value.code, exc.value.fields) == ("duplicate_zone_name",
                                                  {"name": ["You already have a shipping zone named “Europe”."]})
    assert trade_state() == before


def test_only_members_of_a_selling_company(company_a, member_b, moderator, admin_user, zones):
    buyer = CompanyFactory(kind=CompanyKind.BUYER)
    buyer_member = MembershipFactory(company=buyer).user
    before = trade_state()
    for seller, actor, message in (
            (company_a, member_b, "Only members of the selling company can do that."),
            (company_a, moderator, "Only members of the selling company can do that."),
            (company_a, admin_user, "Only members of the selling company can do that."),
            (buyer, buyer_member, "Only seller companies can define shipping zones.")):
        with pytest.raises(Forbidden) as exc:
            services.shipping_zone_create(seller=seller, actor=actor, name="Asia", countries=["JP"], rates=RATES)
        assert (exc.value.message, exc.value.status_code) == (message, 403)
    for actor in (member_b, moderator, admin_user):
        with pytest.raises(Forbidden):
            services.shipping_zone_update(zone=zones.europe, actor=actor, name="Mine")
        with pytest.raises(Forbidden):
            services.shipping_zone_delete(zone=zones.europe, actor=actor)
    assert trade_state() == before


def test_update_replaces_what_is_given(company_a, member_a, zones):
    zone = services.shipping_zone_update(zone=zones.europe, actor=member_a, countries=["FR", "NL"])
    assert zone_rows(zone) == (company_a.pk, "Europe", [("FR", company_a.pk), ("NL", company_a.pk)],
                               [(D("10.000"), D("50.00")), (D("100.000"), D("200.00")), (D("500.000"), D("600.00"))])
    zone = services.shipping_zone_update(zone=zones.europe, actor=member_a, name="EU West",
                                         rates=[{"max_weight_kg": "20", "price": "70"}])
    assert zone_rows(zone) == (company_a.pk, "EU West", [("FR", company_a.pk), ("NL", company_a.pk)],
                               [(D("20.000"), D("70.00"))])
    # Keeping its own name and countries is not a conflict with itself.
    zone = services.shipping_zone_update(zone=zones.europe, actor=member_a, name="EU West", countries=["NL", "FR"])
    assert zone_rows(zone)[1:3] == ("EU West", [("FR", company_a.pk), ("NL", company_a.pk)])
    # DE is free again, so the Americas zone may take it.
    services.shipping_zone_update(zone=zones.americas, actor=member_a, countries=["US", "DE"])
    assert shipping_quote(seller=company_a, destination_country="DE", weight_kg=D("5")) == D("900.00")


def test_a_failed_update_changes_nothing(company_a, member_a, zones):
    before = trade_state()
    with pytest.raises(ApplicationError) as exc:
        services.shipping_zone_update(zone=zones.europe, actor=member_a, name="EU", countries=["NL"],
                                      rates=[{"max_weight_kg": "0", "price": "1"}])
    assert exc.value.fields == {"rates": ["A maximum weight must be greater than zero."]}
    with pytest.raises(Conflict) as exc:
        services.shipping_zone_update(zone=zones.europe, actor=member_a, name="EU", countries=["NL", "US"])
    assert exc.value.fields == {"countries": ["United States of America (US) is already in your zone “Americas”."]}
    with pytest.raises(Conflict):
        services.shipping_zone_update(zone=zones.europe, actor=member_a, name="Americas")
    assert trade_state() == before


def test_the_database_refuses_a_country_in_two_zones_if_the_check_is_bypassed(company_a, member_a, zones,
                                                                              monkeypatch):
    # Stands for a write that slipped past the check: the unique (seller, country) constraint refuses it
    # and nothing of the zone is kept.
    monkeypatch.setattr(services, "_check_free", lambda **kwargs: None)
    before = trade_state()
    with pytest.raises(Conflict) as exc:
        services.shipping_zone_create(seller=company_a, actor=member_a, name="Again", countries=["DE"], rates=RATES)
    assert exc.value.message == "Another change to your shipping zones was saved at the same time. Try again."
    assert trade_state() == before


def test_delete(company_a, member_a, zones):
    services.shipping_zone_delete(zone=zones.europe, actor=member_a)
    assert list(ShippingZone.objects.values_list("name", flat=True)) == ["Americas"]
    assert list(company_a.shipping_zones.get().countries.values_list("country", flat=True)) == ["US"]
    with pytest.raises(ApplicationError):
        shipping_quote(seller=company_a, destination_country="DE", weight_kg=D("1"))
