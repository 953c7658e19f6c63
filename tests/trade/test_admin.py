"""The admin-kept tables: example data of the migration and the admin pages."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from tests.trade.helpers import make_zone, trade_state
from trade.models import DutyRate, RestrictedDestination, ShippingZone, VatRate
from trade.selectors import LineInput, landed_cost_estimate

pytestmark = pytest.mark.django_db


def test_the_migration_loads_example_rates(db):
    assert dict(VatRate.objects.values_list("country", "rate_percent")) == {
        "TR": D("20"), "DE": D("19"), "CN": D("13"), "KE": D("16"), "BR": D("17"), "FR": D("20"), "GB": D("20"),
        "US": D("0"), "AE": D("5"), "NG": D("7.5"), "EG": D("14")}
    defaults = dict(DutyRate.objects.filter(hs_chapter="").values_list("destination_country", "rate_percent"))
    assert {c: defaults[c] for c in ("TR", "DE", "FR", "CN", "KE", "BR", "US")} == {
        "TR": D("8"), "DE": D("4"), "FR": D("4"), "CN": D("7"), "KE": D("25"), "BR": D("14"), "US": D("3")}
    assert DutyRate.objects.get(destination_country="DE", hs_chapter="61").rate_percent == D("12")
    assert DutyRate.objects.get(destination_country="DE", hs_chapter="85").rate_percent == D("2")
    assert DutyRate.objects.get(destination_country="DE", hs_chapter="09").rate_percent == D("0")
    assert list(RestrictedDestination.objects.order_by("country", "hs_prefix").values_list("country", "hs_prefix")) \
        == [("IR", "93"), ("KP", ""), ("RU", "8471"), ("SY", "")]
    assert all(row.reason for row in RestrictedDestination.objects.all())
    assert VatRate.objects.get(country="BR").note.startswith("Approximation")


def test_the_example_rates_give_an_estimate(company_a):
    make_zone(company_a, "Kenya", ["KE"], [("100", "100.00")])
    # KE chapter 61: 35 %; VAT 16 %. 1000 + 100 = 1100.00; duty 385.00; VAT 16 % of 1485.00 = 237.60.
    result = landed_cost_estimate(seller=company_a, destination_country="KE", incoterm="FOB",
                                  lines=[LineInput(hs_code="610910", goods_value=D("1000"), weight_kg=D("10"))])
    assert (result.duty, result.vat, result.total) == (D("385.00"), D("237.60"), D("1722.60"))


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["dutyrate", "vatrate", "restricteddestination", "shippingzone"])
def test_admin_lists_and_add_pages(admin_client, zones, model):
    assert admin_client.get(f"/admin/trade/{model}/").status_code == 200
    assert admin_client.get(f"/admin/trade/{model}/add/").status_code == 200


def test_admin_edits_a_duty_rate_and_refuses_bad_values(admin_client, tables):
    response = admin_client.post("/admin/trade/dutyrate/add/", {"destination_country": "FR", "hs_chapter": "62",
                                                                "rate_percent": "12.5", "note": ""})
    assert response.status_code == 302
    assert DutyRate.objects.get(destination_country="FR", hs_chapter="62").rate_percent == D("12.5")
    count = DutyRate.objects.count()
    for data in ({"destination_country": "FR", "hs_chapter": "6", "rate_percent": "1"},
                 {"destination_country": "FR", "hs_chapter": "62", "rate_percent": "1"},
                 {"destination_country": "FR", "hs_chapter": "", "rate_percent": "-1"}):
        response = admin_client.post("/admin/trade/dutyrate/add/", {**data, "note": ""})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert DutyRate.objects.count() == count


def test_admin_refuses_a_bad_restricted_prefix(admin_client, tables):
    count = RestrictedDestination.objects.count()
    response = admin_client.post("/admin/trade/restricteddestination/add/",
                                 {"country": "CU", "hs_prefix": "9a", "reason": "Example"})
    assert response.context["adminform"].form.errors == {"hs_prefix": ["An HS prefix has 2 to 6 digits."]}
    response = admin_client.post("/admin/trade/restricteddestination/add/",
                                 {"country": "CU", "hs_prefix": "", "reason": "Example"})
    assert response.status_code == 302
    assert RestrictedDestination.objects.count() == count + 1


def zone_form(zone: ShippingZone | None, *, name: str, seller: int | None, countries: list[str],
              rates: list[tuple[str, str]]) -> dict:
    data = {"name": name,
            "countries-TOTAL_FORMS": str(len(countries)), "countries-INITIAL_FORMS": "0",
            "countries-MIN_NUM_FORMS": "0", "countries-MAX_NUM_FORMS": "1000",
            "rates-TOTAL_FORMS": str(len(rates)), "rates-INITIAL_FORMS": "0",
            "rates-MIN_NUM_FORMS": "0", "rates-MAX_NUM_FORMS": "1000"}
    if seller is not None:
        data["seller"] = str(seller)
    for index, country in enumerate(countries):
        data[f"countries-{index}-country"] = country
    for index, (weight, price) in enumerate(rates):
        data[f"rates-{index}-max_weight_kg"] = weight
        data[f"rates-{index}-price"] = price
    return data


def test_admin_adds_a_zone_with_countries_and_rates(admin_client, company_a, zones):
    response = admin_client.post("/admin/trade/shippingzone/add/", zone_form(
        None, name="Asia", seller=company_a.pk, countries=["JP", "CN"], rates=[("5", "20.00")]))
    assert response.status_code == 302
    zone = ShippingZone.objects.get(name="Asia")
    assert sorted(zone.countries.values_list("country", "seller_id")) == [("CN", company_a.pk), ("JP", company_a.pk)]
    assert list(zone.rates.values_list("max_weight_kg", "price")) == [(D("5.000"), D("20.00"))]


def test_admin_refuses_a_country_of_another_zone_and_twice_the_same(admin_client, company_a, zones):
    before = trade_state()
    response = admin_client.post("/admin/trade/shippingzone/add/", zone_form(
        None, name="Asia", seller=company_a.pk, countries=["JP", "DE"], rates=[("5", "20.00")]))
    assert response.status_code == 200
    errors = [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert errors[0] == [{}, {"country": ["This country is already in the seller's zone “Europe”."]}]
    response = admin_client.post("/admin/trade/shippingzone/add/", zone_form(
        None, name="Asia", seller=company_a.pk, countries=["JP", "JP"], rates=[("5", "20.00")]))
    assert response.status_code == 200
    assert [str(e) for e in response.context["inline_admin_formsets"][0].formset.non_form_errors()] == [
        "A country is listed twice."]
    response = admin_client.post("/admin/trade/shippingzone/add/", zone_form(
        None, name="Asia", seller=company_a.pk, countries=["JP"], rates=[("5", "-1")]))
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.errors == [
        {"price": ["Ensure this value is greater than or equal to 0."]}]
    assert trade_state() == before


def test_admin_zone_change_page(admin_client, zones):
    response = admin_client.get(f"/admin/trade/shippingzone/{zones.europe.pk}/change/")
    assert response.status_code == 200
    assert "seller" in response.context["adminform"].readonly_fields
