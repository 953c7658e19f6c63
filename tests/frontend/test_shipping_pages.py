"""The seller's shipping zone pages: list, new, edit and delete, with the services' rules as form errors."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import MembershipRole
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.orders.helpers import buyer_company, make_zone, seller_company
from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry

pytestmark = pytest.mark.django_db

LIST = "/seller/shipping/"
NEW = "/seller/shipping/new/"


@pytest.fixture
def seller():
    return seller_company("Tekstil A.S.", "TR", "TRY")


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def staff(seller):
    return MembershipFactory(company=seller, role=MembershipRole.STAFF).user


@pytest.fixture
def europe(seller):
    return make_zone(seller, "Europe", ["DE", "NL"], [("50", "300.00"), ("500", "900.00")])


@pytest.fixture
def other_zone():
    other = seller_company("Cable Works Ltd", "CN", "CNY")
    MembershipFactory(company=other)
    return make_zone(other, "Asia", ["JP"], [("100", "400.00")])


def _edit(zone) -> str:
    return f"/seller/shipping/{zone.pk}/edit/"


def _delete(zone) -> str:
    return f"/seller/shipping/{zone.pk}/delete/"


def _snapshot() -> dict:
    return {
        "zones": list(ShippingZone.objects.order_by("pk").values_list("pk", "seller_id", "name", "updated_at")),
        "countries": list(ShippingZoneCountry.objects.order_by("pk").values_list("zone_id", "seller_id", "country")),
        "rates": list(ShippingRate.objects.order_by("pk").values_list("zone_id", "max_weight_kg", "price")),
    }


def _zone_state(zone_name: str, seller) -> tuple[list[str], list[tuple[Decimal, Decimal]]]:
    zone = ShippingZone.objects.get(seller=seller, name=zone_name)
    return (sorted(str(c) for c in zone.countries.values_list("country", flat=True)),
            list(zone.rates.order_by("max_weight_kg").values_list("max_weight_kg", "price")))


def _post_data(name="Middle East", countries=("AE",), codes="", rows=(("20", "150.00"), ("200", "600.50"))):
    data = {"name": name, "countries": list(countries), "country_codes": codes}
    for index, (weight, price) in enumerate(rows):
        data[f"rate_{index}_max_weight_kg"] = weight
        data[f"rate_{index}_price"] = price
    return data


# --- the list -------------------------------------------------------------------------------------

def test_the_list_shows_zones_with_countries_and_bands_in_the_company_currency(client, owner, europe, other_zone):
    client.force_login(owner)

    response = client.get(LIST)

    assert response.status_code == 200
    assert [zone.name for zone in response.context["zones"]] == ["Europe"]
    assertContains(response, "Germany (DE)")
    assertContains(response, "Netherlands (NL)")
    assertContains(response, "<li>up to 50 kg: 300.00 TRY</li>", html=True)
    assertContains(response, "<li>up to 500 kg: 900.00 TRY</li>", html=True)
    assertContains(response, f'href="{_edit(europe)}"')
    assertContains(response, f'action="{_delete(europe)}"')
    assertNotContains(response, "Asia")
    assertNotContains(response, "CNY")


def test_an_empty_list_says_so(client, owner):
    client.force_login(owner)

    response = client.get(LIST)

    assertContains(response, 'id="no-zones"')


def test_the_nav_and_the_listings_dashboard_link_to_the_zones(client, owner):
    client.force_login(owner)

    assertContains(client.get("/"), f'<a id="nav-shipping" href="{LIST}">Shipping</a>', html=True)
    assertContains(client.get("/seller/listings/"), 'id="shipping-link"')


def test_a_buyer_gets_no_shipping_link_and_no_page(client):
    buyer = MembershipFactory(company=buyer_company("Gamma Handel GmbH")).user
    client.force_login(buyer)

    assertNotContains(client.get("/"), 'id="nav-shipping"')
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, _post_data()).status_code == 403
    assert ShippingZone.objects.count() == 0


def test_a_user_without_company_is_refused(client):
    client.force_login(UserFactory())

    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, europe):
    before = _snapshot()

    for url in (LIST, NEW, _edit(europe)):
        response = client.get(url)
        assertRedirects(response, f"/login/?next={url}", fetch_redirect_response=False)
    response = client.post(_delete(europe))
    assertRedirects(response, "/login/?next=%2F", fetch_redirect_response=False)  # a page, not the form's address
    assert client.post(NEW, _post_data()).status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize("count", [1, 10])
def test_the_list_runs_the_same_queries_for_1_and_10_zones(client, owner, seller, count, django_assert_num_queries):
    for index in range(count):
        make_zone(seller, f"Zone {index:02d}", [["DE", "FR", "IT", "ES", "NL", "BE", "AT", "PL", "SE", "DK"][index]],
                  [("10", "100.00"), ("20", "150.00"), ("30", "190.00")])
    client.force_login(owner)
    client.get(LIST)  # the session and the translation catalogues are warm

    with django_assert_num_queries(9):  # 8, and the unread messages of the "Messages" link
        response = client.get(LIST)

    assert len(response.context["zones"]) == count
    assert response.content.decode().count("<li>up to 30 kg: 190.00 TRY</li>") == count


def test_the_query_count_does_not_grow_with_the_zones(client, owner, seller):
    client.force_login(owner)
    make_zone(seller, "Zone 0", ["DE"], [("10", "100.00")])
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for index in range(1, 10):
        make_zone(seller, f"Zone {index}", [f"{['FR', 'IT', 'ES', 'NL', 'BE', 'AT', 'PL', 'SE', 'DK'][index - 1]}"],
                  [("10", "100.00"), ("50", "300.00")])
    with CaptureQueriesContext(connection) as ten:
        response = client.get(LIST)

    assert len(response.context["zones"]) == 10
    assert len(ten) == len(one)


# --- a new zone -------------------------------------------------------------------------------------

def test_the_new_zone_form_has_eight_band_rows(client, owner):
    client.force_login(owner)

    response = client.get(NEW)

    assert response.status_code == 200
    assertContains(response, 'name="rate_7_max_weight_kg"')
    assertNotContains(response, 'name="rate_8_max_weight_kg"')
    assertContains(response, "Price (TRY)")


def test_an_owner_adds_a_zone_from_the_list_and_typed_codes(client, owner, seller):
    client.force_login(owner)
    data = _post_data(countries=["AE"], codes="sa, qa  OM", rows=[("200", "600.50"), ("", ""), ("20", "150")])

    response = client.post(NEW, data)

    assertRedirects(response, LIST, fetch_redirect_response=False)
    assert _zone_state("Middle East", seller) == (
        ["AE", "OM", "QA", "SA"], [(Decimal("20.000"), Decimal("150.00")), (Decimal("200.000"), Decimal("600.50"))])
    assertContains(client.get(LIST), "The shipping zone “Middle East” is saved.")


def test_a_staff_member_manages_zones_too(client, staff, seller, europe):
    client.force_login(staff)

    assert client.get(LIST).status_code == 200
    assert client.post(NEW, _post_data()).status_code == 302
    assert client.post(_edit(europe), _post_data(name="EU", countries=["DE"], rows=[("5", "10")])).status_code == 302

    assert _zone_state("Middle East", seller)[0] == ["AE"]
    assert _zone_state("EU", seller) == (["DE"], [(Decimal("5.000"), Decimal("10.00"))])


def test_a_country_of_another_zone_is_a_form_error_and_nothing_is_saved(client, owner, europe):
    client.force_login(owner)
    before = _snapshot()

    response = client.post(NEW, _post_data(countries=["AE"], codes="DE"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"countries": ["Germany (DE) is already in your zone “Europe”."]}
    assert _snapshot() == before


@pytest.mark.parametrize(("data", "errors"), [
    (_post_data(rows=[("20", "")]), {"rates": ["Give both the weight and the price of each weight band."]}),
    (_post_data(rows=[("abc", "10")]), {"rates": ["Correct the weight band rows marked below."],
                                        "rate_0_max_weight_kg": ["Enter a number."]}),
    (_post_data(rows=[]), {"rates": ["Give at least one rate."]}),
    (_post_data(rows=[("20", "10"), ("20.000", "15")]),
     {"rates": ["Two rates have the same maximum weight (20 kg)."]}),
    (_post_data(rows=[("0", "10")]), {"rates": ["A maximum weight must be greater than zero."]}),
    (_post_data(rows=[("20", "-1")]), {"rates": ["A price cannot be negative."]}),
    (_post_data(countries=[], codes=""), {"countries": ["Give at least one country."]}),
    (_post_data(codes="DE, XX, zz"), {"country_codes": ["Not ISO 3166 country codes: XX, ZZ."]}),
    (_post_data(countries=["QQ"]), {"countries": ["Select a valid choice. QQ is not one of the available choices."]}),
    (_post_data(name="  "), {"name": ["This field is required."]}),
])
def test_bad_input_is_a_form_error_with_status_400(client, owner, europe, data, errors):
    client.force_login(owner)
    before = _snapshot()

    response = client.post(NEW, data)

    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert _snapshot() == before


def test_a_duplicate_zone_name_is_a_form_error(client, owner, europe):
    client.force_login(owner)
    before = _snapshot()

    response = client.post(NEW, _post_data(name="Europe", countries=["FR"]))

    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["You already have a shipping zone named “Europe”."]}
    assert _snapshot() == before


# --- editing and deleting ---------------------------------------------------------------------------

def test_the_editor_is_filled_with_the_zone(client, owner, europe):
    client.force_login(owner)

    response = client.get(_edit(europe))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Europe"
    assert form["countries"].value() == ["DE", "NL"]
    assert (form["rate_0_max_weight_kg"].value(), form["rate_0_price"].value()) == (Decimal("50.000"),
                                                                                     Decimal("300.00"))
    assert (form["rate_1_max_weight_kg"].value(), form["rate_1_price"].value()) == (Decimal("500.000"),
                                                                                     Decimal("900.00"))
    assert form["rate_2_max_weight_kg"].value() is None
    assertContains(response, '<option value="NL" selected>Netherlands</option>', html=True)


def test_an_owner_changes_a_zone(client, owner, seller, europe):
    client.force_login(owner)

    response = client.post(_edit(europe), _post_data(name="Western Europe", countries=["FR", "DE"], codes="be",
                                                     rows=[("30", "120.00")]))

    assertRedirects(response, LIST, fetch_redirect_response=False)
    assert _zone_state("Western Europe", seller) == (["BE", "DE", "FR"], [(Decimal("30.000"), Decimal("120.00"))])
    assert ShippingZone.objects.filter(seller=seller).count() == 1


def test_an_edit_taking_a_country_of_another_zone_changes_nothing(client, owner, seller, europe):
    make_zone(seller, "Gulf", ["AE"], [("10", "50.00")])
    client.force_login(owner)
    before = _snapshot()

    response = client.post(_edit(europe), _post_data(name="Europe", countries=["DE", "AE"], rows=[("1", "1")]))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "countries": ["United Arab Emirates (AE) is already in your zone “Gulf”."]}
    assert _snapshot() == before


def test_another_companys_zone_is_not_found(client, owner, europe, other_zone):
    client.force_login(owner)
    before = _snapshot()

    assert client.get(_edit(other_zone)).status_code == 404
    assert client.post(_edit(other_zone), _post_data(name="Mine", countries=["US"])).status_code == 404
    assert client.post(_delete(other_zone)).status_code == 404
    assert _snapshot() == before


def test_an_owner_deletes_a_zone(client, owner, europe):
    client.force_login(owner)

    response = client.post(_delete(europe))

    assertRedirects(response, LIST, fetch_redirect_response=False)
    assert not ShippingZone.objects.filter(pk=europe.pk).exists()
    assert not ShippingZoneCountry.objects.filter(zone_id=europe.pk).exists()
    assertContains(client.get(LIST), "The shipping zone “Europe” is deleted.")


def test_deleting_needs_a_post(client, owner, europe):
    client.force_login(owner)

    assert client.get(_delete(europe)).status_code == 405
    assert ShippingZone.objects.filter(pk=europe.pk).exists()


def test_the_pages_come_in_turkish(client, owner, europe, settings):
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"

    assertContains(client.get(LIST), "<h1>Gönderim bölgeleri</h1>", html=True)
    response = client.post(NEW, _post_data(rows=[("20", "")]))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "rates": ["Her ağırlık kademesi için hem ağırlığı hem de fiyatı girin."]}
