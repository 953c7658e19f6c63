"""The /api/v1/shipping-zones/ and /api/v1/landed-cost/ endpoints: who may do what, shapes and errors."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.models import VerificationStatus
from marketplace.models import Listing, ListingStatus
from tests.core.helpers import assert_error
from tests.factories.accounts import MembershipFactory
from tests.trade.helpers import RESTRICTION_KP, RESTRICTION_RU, make_zone, trade_state
from trade.models import ShippingZone
from trade.selectors import LineInput, landed_cost_estimate

pytestmark = pytest.mark.django_db

ZONES = "/api/v1/shipping-zones/"
LANDED_COST = "/api/v1/landed-cost/"
NOT_AUTHENTICATED = "Authentication credentials were not provided."


def zone_json(zone: ShippingZone) -> dict:
    zone.refresh_from_db()
    return {"id": zone.pk, "seller": zone.seller_id, "name": zone.name,
            "countries": [str(c) for c in zone.countries.order_by("country").values_list("country", flat=True)],
            "rates": [{"max_weight_kg": f"{w:.3f}", "price": f"{p:.2f}"}
                      for w, p in zone.rates.order_by("max_weight_kg").values_list("max_weight_kg", "price")],
            "currency": zone.seller.default_currency,
            "created_at": zone.created_at.isoformat().replace("+00:00", "Z"),
            "updated_at": zone.updated_at.isoformat().replace("+00:00", "Z")}


@pytest.fixture
def zone_b(company_b):
    return make_zone(company_b, "Japan", ["JP"], [("5", "12.50")])


# --- shipping zones: who sees and changes what ----------------------------------------------------

def test_members_list_their_own_companys_zones(as_user, member_a, staff_a, member_b, zones, zone_b):
    for user in (member_a, staff_a):
        response = as_user(user).get(ZONES)
        assert response.status_code == 200
        assert response.json() == {"count": 2, "next": None, "previous": None,
                                   "results": [zone_json(zones.americas), zone_json(zones.europe)]}
    assert zone_json(zones.europe)["rates"] == [{"max_weight_kg": "10.000", "price": "50.00"},
                                                {"max_weight_kg": "100.000", "price": "200.00"},
                                                {"max_weight_kg": "500.000", "price": "600.00"}]
    assert as_user(member_b).get(ZONES).json()["results"] == [zone_json(zone_b)]


def test_a_member_of_two_companies_can_filter_by_seller(as_user, member_a, company_a, company_b, zones, zone_b):
    MembershipFactory(company=company_b, user=member_a)
    client = as_user(member_a)
    assert [z["name"] for z in client.get(ZONES).json()["results"]] == ["Americas", "Europe", "Japan"]
    assert [z["name"] for z in client.get(f"{ZONES}?seller={company_b.pk}").json()["results"]] == ["Japan"]
    assert_error(client.get(f"{ZONES}?seller=b"), 400, "validation_error",
                 fields={"seller": ["Give the seller as a company id."]})


def test_moderators_and_others_see_no_zones_of_a(as_user, moderator, admin_user, member_b, zones):
    for user in (moderator, admin_user, member_b):
        client = as_user(user)
        assert client.get(ZONES).json()["results"] == []
        assert_error(client.get(f"{ZONES}{zones.europe.pk}/"), 404, "not_found")


def test_anonymous_is_refused_everywhere(as_user, zones):
    client = as_user(None)
    before = trade_state()
    for method, url in (("get", ZONES), ("post", ZONES), ("get", f"{ZONES}{zones.europe.pk}/"),
                        ("put", f"{ZONES}{zones.europe.pk}/"), ("patch", f"{ZONES}{zones.europe.pk}/"),
                        ("delete", f"{ZONES}{zones.europe.pk}/")):
        response = getattr(client, method)(url, {"name": "X"}) if method in ("post", "put", "patch") \
            else getattr(client, method)(url)
        assert_error(response, 401, "not_authenticated", message=NOT_AUTHENTICATED)
    assert trade_state() == before


def test_retrieve(as_user, member_a, zones):
    response = as_user(member_a).get(f"{ZONES}{zones.europe.pk}/")
    assert (response.status_code, response.json()) == (200, zone_json(zones.europe))
    assert_error(as_user(member_a).get(f"{ZONES}999999/"), 404, "not_found")


def test_create(as_user, member_a, company_a, zones):
    response = as_user(member_a).post(ZONES, {"name": "Asia", "countries": ["jp", "CN"],
                                              "rates": [{"max_weight_kg": "30", "price": "80"},
                                                        {"max_weight_kg": 5, "price": 25.5}]})
    assert response.status_code == 201, response.content
    zone = ShippingZone.objects.get(seller=company_a, name="Asia")
    assert response.json() == zone_json(zone)
    assert response.json()["countries"] == ["CN", "JP"]
    assert response.json()["rates"] == [{"max_weight_kg": "5.000", "price": "25.50"},
                                        {"max_weight_kg": "30.000", "price": "80.00"}]
    assert response.json()["currency"] == "TRY"


def test_create_for_a_named_company(as_user, member_a, company_a, company_b, zones):
    body = {"seller": company_b.pk, "name": "Asia", "countries": ["JP"], "rates": [{"max_weight_kg": "5",
                                                                                     "price": "1"}]}
    before = trade_state()
    assert_error(as_user(member_a).post(ZONES, body), 403, "permission_denied",
                 message="Only members of the selling company can do that.")
    assert trade_state() == before
    response = as_user(member_a).post(ZONES, {**body, "seller": company_a.pk})
    assert (response.status_code, response.json()["seller"]) == (201, company_a.pk)


def test_users_without_a_company_cannot_create(as_user, moderator, admin_user, zones):
    before = trade_state()
    for user in (moderator, admin_user):
        response = as_user(user).post(ZONES, {"name": "Asia", "countries": ["JP"],
                                              "rates": [{"max_weight_kg": "5", "price": "1"}]})
        assert_error(response, 403, "permission_denied", message="Only members of the selling company can do that.")
    assert trade_state() == before


def test_create_errors_change_nothing(as_user, member_a, zones):
    client = as_user(member_a)
    good = {"name": "Asia", "countries": ["JP"], "rates": [{"max_weight_kg": "5", "price": "1"}]}
    before = trade_state()
    assert_error(client.post(ZONES, {**good, "is_default": True}), 400, "validation_error",
                 fields={"is_default": ["This field cannot be set."]})
    assert_error(client.post(ZONES, {**good, "rates": [{"max_weight_kg": "5", "price": "1", "zone": 1}]}),
                 400, "validation_error", fields={"rates.0.zone": ["This field cannot be set."]})
    assert_error(client.post(ZONES, {**good, "rates": [{"max_weight_kg": "5", "price": "abc"}]}),
                 400, "validation_error", fields={"rates.0.price": ["A valid number is required."]})
    assert_error(client.post(ZONES, {"name": "Asia"}), 400, "validation_error",
                 fields={"countries": ["This field is required."], "rates": ["This field is required."]})
    assert_error(client.post(ZONES, {**good, "countries": ["JP", "QQ"]}), 400, "validation_error",
                 fields={"countries": ["QQ is not an ISO 3166 country code."]})
    assert_error(client.post(ZONES, {**good, "rates": [{"max_weight_kg": "5", "price": "1"},
                                                         {"max_weight_kg": "5.0", "price": "2"}]}),
                 400, "validation_error", fields={"rates": ["Two rates have the same maximum weight (5 kg)."]})
    assert_error(client.post(ZONES, {**good, "countries": ["JP", "FR"]}), 409, "country_in_other_zone",
                 fields={"countries": ["France (FR) is already in your zone “Europe”."]})
    assert_error(client.post(ZONES, {**good, "name": "Europe"}), 409, "duplicate_zone_name",
                 fields={"name": ["You already have a shipping zone named “Europe”."]})
    assert trade_state() == before


def test_update_and_partial_update(as_user, member_a, staff_a, company_a, zones):
    url = f"{ZONES}{zones.europe.pk}/"
    response = as_user(member_a).put(url, {"name": "EU", "countries": ["NL", "BE"],
                                           "rates": [{"max_weight_kg": "25", "price": "99.90"}]})
    assert response.status_code == 200, response.content
    assert response.json() == zone_json(zones.europe)
    assert (response.json()["name"], response.json()["countries"], response.json()["rates"]) == (
        "EU", ["BE", "NL"], [{"max_weight_kg": "25.000", "price": "99.90"}])
    response = as_user(staff_a).patch(url, {"countries": ["NL", "DE"]})
    assert (response.status_code, response.json()["name"], response.json()["countries"],
            response.json()["rates"]) == (200, "EU", ["DE", "NL"], [{"max_weight_kg": "25.000", "price": "99.90"}])
    before = trade_state()
    assert_error(as_user(member_a).put(url, {"name": "EU"}), 400, "validation_error",
                 fields={"countries": ["This field is required."], "rates": ["This field is required."]})
    assert_error(as_user(member_a).patch(url, {"seller": 5}), 400, "validation_error",
                 fields={"seller": ["This field cannot be set."]})
    assert_error(as_user(member_a).patch(url, {"rates": [{"max_weight_kg": "5"}]}), 400, "validation_error",
                 fields={"rates": ["Each rate needs max_weight_kg and price."]})
    assert_error(as_user(member_a).patch(url, {"countries": ["US"]}), 409, "country_in_other_zone",
                 fields={"countries": ["United States of America (US) is already in your zone “Americas”."]})
    assert trade_state() == before


def test_others_cannot_change_or_delete_a_zone(as_user, member_b, moderator, admin_user, zones):
    url = f"{ZONES}{zones.europe.pk}/"
    before = trade_state()
    for user in (member_b, moderator, admin_user):
        client = as_user(user)
        assert_error(client.put(url, {"name": "X", "countries": ["JP"], "rates": []}), 404, "not_found")
        assert_error(client.patch(url, {"name": "X"}), 404, "not_found")
        assert_error(client.delete(url), 404, "not_found")
    assert trade_state() == before


def test_delete(as_user, member_a, zones):
    response = as_user(member_a).delete(f"{ZONES}{zones.europe.pk}/")
    assert (response.status_code, response.content) == (204, b"")
    assert list(ShippingZone.objects.values_list("name", flat=True)) == ["Americas"]
    assert_error(as_user(member_a).delete(f"{ZONES}{zones.europe.pk}/"), 404, "not_found")


# --- landed cost ---------------------------------------------------------------------------------

def test_landed_cost_for_anyone(as_user, tshirt, member_b):
    # 500 T-shirts: tier 500 -> 3.90 each, goods 1950.00; 0.2 kg x 500 = 100 kg -> 200.00.
    # CIF: insurance 0.5 % of 1950 = 9.75; customs value 2159.75; duty 12 % = 259.17;
    # VAT 19 % of (2159.75 + 259.17 = 2418.92) = 459.5948 -> 459.59;
    # total 1950 + 200 + 9.75 + 259.17 + 459.59 = 2878.51; the seller pays 209.75, the buyer 2668.76.
    expected = {
        "listing_id": tshirt.pk, "quantity": 500, "unit_price": "3.90", "unit_weight_kg": "0.200",
        "currency": "TRY", "destination_country": "DE", "incoterm": "CIF", "weight_kg": "100.000",
        "goods": "1950.00", "shipping": "200.00", "insurance": "9.75", "duty": "259.17", "vat": "459.59",
        "total": "2878.51", "invoice_total": "2159.75", "buyer_other_costs": "718.76",
        "buyer_pays": "2668.76", "seller_pays": "209.75",
        "payer": {"goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "buyer", "vat": "buyer"},
        "paid_to": {"goods": "seller", "shipping": "seller", "insurance": "seller", "duty": "customs",
                    "vat": "customs"},
        "vat_rate_percent": "19.000", "insurance_rate_percent": "0.500",
        "duty_lines": [{"hs_code": "610910", "hs_chapter": "61", "goods_value": "1950.00",
                        "customs_value": "2159.75", "rate_percent": "12.000", "rate_basis": "chapter",
                        "duty": "259.17"}],
    }
    for user in (None, member_b):
        response = as_user(user).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 500,
                                                    "destination_country": "de", "incoterm": "cif"})
        assert (response.status_code, response.json()) == (200, expected)


@pytest.mark.parametrize(("quantity", "unit_price", "goods"), [
    (100, "4.20", "420.00"), (499, "4.20", "2095.80"), (500, "3.90", "1950.00"), (1999, "3.90", "7796.10"),
    (2000, "3.55", "7100.00"),
])
def test_the_price_tier_for_the_quantity(as_user, tshirt, quantity, unit_price, goods):
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": quantity,
                                                "destination_country": "US", "incoterm": "FOB"})
    assert response.status_code == 200, response.content
    assert (response.json()["unit_price"], response.json()["goods"]) == (unit_price, goods)


def test_ddp_puts_duty_and_vat_on_the_seller(as_user, tshirt):
    # 100 T-shirts: 420.00, 20 kg -> 200.00; customs value 620.00; duty 12 % = 74.40;
    # VAT 19 % of 694.40 = 131.936 -> 131.94; total 826.34; the buyer pays only the goods.
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 100,
                                                "destination_country": "DE", "incoterm": "DDP"})
    body = response.json()
    assert (body["total"], body["invoice_total"], body["buyer_other_costs"]) == ("826.34", "826.34", "0.00")
    # The deprecated figures keep their old meaning for existing integrations.
    assert (body["buyer_pays"], body["seller_pays"]) == ("420.00", "406.34")


def test_landed_cost_errors(as_user, tshirt, company_a):
    client = as_user(None)

    def post(**changes):
        return client.post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 500, "destination_country": "DE",
                                         "incoterm": "FOB", **changes})

    assert_error(post(incoterm="DAP"), 400, "incoterm_not_offered",
                 fields={"incoterm": ["This listing is offered under CIF, DDP, FOB only."]})
    assert_error(post(incoterm="ABC"), 400, "validation_error",
                 fields={"incoterm": ["ABC is not an Incoterms 2020 rule."]})
    kp = f"North Korea is a restricted destination: {RESTRICTION_KP}"
    assert_error(post(destination_country="KP"), 400, "restricted_destination", message=kp,
                 fields={"destination_country": [kp]})
    assert_error(post(destination_country="JP"), 400, "no_shipping",
                 fields={"destination_country": ["Alpha Textiles does not ship to Japan."]})
    assert_error(post(destination_country="FR"), 400, "no_shipping",
                 fields={"destination_country": ["This listing is not shipped to France."]})
    # 5000 x 0.2 kg = 1000 kg, above the largest band to DE (500 kg).
    assert_error(post(quantity=5000), 400, "no_shipping", fields={"destination_country": [
        "The shipment weighs 1000 kg; Alpha Textiles ships at most 500 kg to Germany."]})
    assert_error(post(quantity=99), 400, "validation_error",
                 fields={"quantity": ["The minimum order quantity is 100."]})
    assert_error(post(quantity=0), 400, "validation_error",
                 fields={"quantity": ["Ensure this value is greater than or equal to 1."]})
    assert_error(post(destination_country="Germany"), 400, "validation_error",
                 fields={"destination_country": ["Germany is not an ISO 3166 country code."]})
    assert_error(post(listing_id=999999), 400, "validation_error",
                 fields={"listing_id": ["There is no listing with this id."]})
    assert_error(post(coupon="X"), 400, "validation_error", fields={"coupon": ["This field cannot be set."]})
    assert_error(client.post(LANDED_COST, {}), 400, "validation_error", fields={
        "listing_id": ["This field is required."], "quantity": ["This field is required."],
        "destination_country": ["This field is required."], "incoterm": ["This field is required."]})


def test_a_restricted_hs_prefix_through_the_api(as_user, tshirt, company_a):
    make_zone(company_a, "CIS", ["RU"], [("1000", "300.00")])
    Listing.objects.filter(pk=tshirt.pk).update(hs_code="847130")
    message = f"Goods with HS code 847130 cannot be shipped to Russia (restricted HS 8471): {RESTRICTION_RU}"
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 100,
                                                "destination_country": "RU", "incoterm": "FOB"})
    assert_error(response, 400, "restricted_destination", message=message, fields={"destination_country": [message]})
    Listing.objects.filter(pk=tshirt.pk).update(hs_code="610910")
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 100,
                                                "destination_country": "RU", "incoterm": "FOB"})
    assert (response.status_code, response.json()["total"]) == (200, "720.00")  # 420 + 300, no RU duty or VAT rows


def test_a_draft_is_estimated_only_for_its_sellers_members(as_user, tshirt, member_a, member_b, moderator):
    Listing.objects.filter(pk=tshirt.pk).update(status=ListingStatus.DRAFT)
    body = {"listing_id": tshirt.pk, "quantity": 100, "destination_country": "DE", "incoterm": "FOB"}
    for user in (None, member_b):
        assert_error(as_user(user).post(LANDED_COST, body), 400, "validation_error",
                     fields={"listing_id": ["There is no listing with this id."]})
    for user in (member_a, moderator):
        assert as_user(user).post(LANDED_COST, body).status_code == 200


def test_a_suspended_sellers_listing_is_not_estimated(as_user, tshirt, company_a):
    company_a.verification_status = VerificationStatus.SUSPENDED
    company_a.save(update_fields=["verification_status"])
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 100,
                                                "destination_country": "DE", "incoterm": "FOB"})
    assert_error(response, 400, "validation_error", fields={"listing_id": ["There is no listing with this id."]})


def test_prices_and_shipping_in_different_currencies_are_not_mixed(as_user, tshirt):
    Listing.objects.filter(pk=tshirt.pk).update(currency="EUR")
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 100,
                                                "destination_country": "DE", "incoterm": "FOB"})
    assert_error(response, 400, "currency_mismatch", message=(
        "The listing is priced in EUR but the seller ships in TRY; no estimate can be made."))


def test_the_estimate_matches_the_service(as_user, tshirt, company_a):
    direct = landed_cost_estimate(seller=company_a, destination_country="US", incoterm="FOB",
                                  lines=[LineInput(hs_code="610910", goods_value=D("4.20") * 300,
                                                   weight_kg=D("0.2") * 300)])
    response = as_user(None).post(LANDED_COST, {"listing_id": tshirt.pk, "quantity": 300,
                                                "destination_country": "US", "incoterm": "FOB"})
    # 300 x 4.20 = 1260.00, 60 kg -> 900.00; duty 3 % of 2160.00 = 64.80; no US VAT row; 2224.80.
    assert response.json()["total"] == f"{direct.total:.2f}" == "2224.80"
