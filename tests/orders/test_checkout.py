"""Checkout: one order per seller with exact landed-cost totals, the rate locked at placement,
idempotency, and all or nothing when any line or seller fails."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import VerificationStatus
from core.exceptions import ApplicationError, Conflict, Forbidden
from fx.models import FxRate, FxSource
from marketplace.models import Listing
from orders import services
from orders.models import CartLine, Order, OrderEvent, OrderStatus, PurchaseGroup
from orders.services import checkout as module
from orders.services.checkout import checkout_place
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import buyer_company, new_key, snapshot, towel

pytestmark = pytest.mark.django_db


def fill(world, *lines, buyer=None, actor=None):
    for listing, quantity, *incoterm in lines:
        services.cart_line_add(actor=actor or world.buyer_owner, buyer=buyer or world.buyer, listing_id=listing.pk,
                               quantity=quantity, incoterm=incoterm[0] if incoterm else None)


def checkout(world, key=None, **kwargs):
    return checkout_place(actor=kwargs.pop("actor", world.buyer_owner), buyer=kwargs.pop("buyer", world.buyer),
                          idempotency_key=key or new_key(), **kwargs)


def refused(world, exc_type=ApplicationError, **kwargs) -> ApplicationError:
    before = snapshot()
    with pytest.raises(exc_type) as excinfo:
        checkout(world, **kwargs)
    assert snapshot() == before
    return excinfo.value


def test_the_cart_is_split_into_one_order_per_seller_with_exact_totals(world, django_capture_on_commit_callbacks):
    fill(world, (world.towel, 20), (world.cable, 300))

    with django_capture_on_commit_callbacks() as callbacks:
        result = checkout(world, key="first-try", incoterms={world.seller_c.pk: "CIF"})

    group = result.group
    assert result.replayed is False
    assert (group.buyer, group.idempotency_key, group.created_by) == (world.buyer, "first-try", world.buyer_owner)
    towel_order, cable_order = group.orders.order_by("pk")
    assert (towel_order.seller, towel_order.status, towel_order.incoterm, towel_order.currency,
            towel_order.buyer_currency, towel_order.fx_rate, towel_order.fx_rate_date, towel_order.fx_source) == (
        world.seller_t, OrderStatus.PLACED, "EXW", "TRY", "EUR", Decimal("0.02500000"), date(2026, 1, 5), "ecb")
    # 20 x 100.00 = 2000.00; 10 kg -> 300.00; duty 12 % of 2300.00 = 276.00; VAT 19 % of 2576.00 = 489.44
    assert (towel_order.goods_total, towel_order.shipping, towel_order.insurance, towel_order.duty, towel_order.vat,
            towel_order.total, towel_order.invoice_total, towel_order.buyer_other_costs,
            towel_order.invoice_total_in_buyer_currency, towel_order.buyer_other_costs_in_buyer_currency,
            towel_order.total_weight_kg) == (
        Decimal("2000.00"), Decimal("300.00"), Decimal("0.00"), Decimal("276.00"), Decimal("489.44"),
        Decimal("3065.44"), Decimal("2000.00"), Decimal("1065.44"), Decimal("50.00"), Decimal("26.64"),
        Decimal("10.000"))
    assert towel_order.payer == {"goods": "buyer", "shipping": "buyer", "insurance": "buyer", "duty": "buyer",
                                 "vat": "buyer"}
    # 300 x 12.50 = 3750.00; 60 kg -> 400.00; CIF insurance 0.5 % = 18.75; duty 4 % of 4168.75 = 166.75;
    # VAT 19 % of 4335.50 = 823.75; the seller pays shipping and insurance under CIF
    assert (cable_order.seller, cable_order.incoterm, cable_order.currency, cable_order.fx_rate,
            cable_order.goods_total, cable_order.shipping, cable_order.insurance, cable_order.duty, cable_order.vat,
            cable_order.total, cable_order.invoice_total, cable_order.buyer_other_costs,
            cable_order.invoice_total_in_buyer_currency) == (
        world.seller_c, "CIF", "CNY", Decimal("0.12500000"), Decimal("3750.00"), Decimal("400.00"),
        Decimal("18.75"), Decimal("166.75"), Decimal("823.75"), Decimal("5159.25"), Decimal("4168.75"),
        Decimal("990.50"), Decimal("521.09"))
    assert cable_order.payer == {"goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "buyer",
                                 "vat": "buyer"}
    for order in (towel_order, cable_order):
        assert (order.buyer, order.placed_by, order.destination_country, order.destination_address) == (
            world.buyer, world.buyer_owner, "DE", "1 Hauptstrasse, Gamma Handel GmbH")
    [towel_line] = towel_order.lines.all()
    assert (towel_line.listing_id, towel_line.listing_ref, towel_line.title, towel_line.hs_code,
            towel_line.origin_country, towel_line.unit, towel_line.quantity, towel_line.unit_price,
            towel_line.line_total, towel_line.unit_weight_kg, towel_line.weight_kg) == (
        world.towel.pk, world.towel.pk, "Bath towel", "630260", "TR", "piece", 20, Decimal("100.00"),
        Decimal("2000.00"), Decimal("0.500"), Decimal("10.000"))
    [cable_line] = cable_order.lines.all()
    assert (cable_line.quantity, cable_line.unit_price, cable_line.line_total, cable_line.weight_kg) == (
        300, Decimal("12.50"), Decimal("3750.00"), Decimal("60.000"))
    assert list(Listing.objects.filter(pk__in=[world.towel.pk, world.cable.pk]).order_by("pk")
                .values_list("stock", flat=True)) == [980, 4700]
    assert CartLine.objects.count() == 0
    assert list(OrderEvent.objects.order_by("pk").values_list("order_id", "actor_id", "role", "from_status",
                                                              "to_status", "payload")) == [
        (towel_order.pk, world.buyer_owner.pk, "buyer", "", "placed",
         {"purchase_group": group.pk, "payment_terms": "advance", "lead_time_days": 14}),
        (cable_order.pk, world.buyer_owner.pk, "buyer", "", "placed",
         {"purchase_group": group.pk, "payment_terms": "advance", "lead_time_days": 14})]
    assert len(callbacks) == 4  # per order: the seller's notification and its performance update


def test_the_incoterm_chosen_on_the_cart_lines_is_used(world):
    fill(world, (world.towel, 20, "DAP"), (world.cable, 300, "CIF"))

    orders = checkout(world).group.orders.order_by("pk")

    assert [order.incoterm for order in orders] == ["DAP", "CIF"]


def test_without_a_choice_the_first_rule_every_line_offers_is_used(world):
    fill(world, (world.cable, 300))

    [order] = checkout(world).group.orders.all()

    assert order.incoterm == "FOB"


def test_the_incoterm_given_for_a_seller_wins_over_the_lines(world):
    fill(world, (world.towel, 20, "DAP"))

    [order] = checkout(world, incoterms={str(world.seller_t.pk): "fob"}).group.orders.all()

    assert order.incoterm == "FOB"


def test_an_incoterm_one_listing_of_the_seller_does_not_offer(world):
    second = towel(world.seller_t, title="Hand towel", incoterms=["FOB"])
    fill(world, (world.towel, 20), (second, 10))

    exc = refused(world, incoterms={world.seller_t.pk: "DAP"})

    assert (exc.status_code, exc.code, exc.fields) == (400, "incoterm_not_offered", {
        "incoterm": ["Hand towel is offered under FOB only, not DAP."]})


def test_lines_of_one_seller_with_different_incoterms(world):
    second = towel(world.seller_t, title="Hand towel")
    fill(world, (world.towel, 20, "EXW"), (second, 10, "FOB"))

    exc = refused(world)

    assert (exc.code, exc.fields) == ("incoterm_conflict", {"incoterm": [
        "Your lines from Tekstil A.S. name different Incoterms (EXW, FOB); choose one for this seller."]})


def test_listings_of_one_seller_without_a_common_incoterm(world):
    second = towel(world.seller_t, title="Hand towel", incoterms=["CPT"])
    fill(world, (world.towel, 20), (second, 10))

    exc = refused(world)

    assert (exc.code, exc.fields) == ("incoterm_not_offered", {"incoterm": [
        "The listings of Tekstil A.S. in your cart share no Incoterm; order them separately."]})


def test_the_destination_can_differ_from_the_buyers_address(world):
    fill(world, (world.towel, 20))

    [order] = checkout(world, destination={"country": "nl", "address": "Warehouse 4, Rotterdam"}).group.orders.all()

    assert (order.destination_country, order.destination_address) == ("NL", "Warehouse 4, Rotterdam")


def test_a_restricted_destination_is_refused_with_the_reason(world):
    fill(world, (world.cable, 300))

    exc = refused(world, destination={"country": "KP", "address": "Pyongyang"})

    assert (exc.status_code, exc.code, exc.fields) == (400, "restricted_destination", {"destination.country": [
        "North Korea is a restricted destination: UN sanctions restrict trade with North Korea."]})


def test_a_destination_restricted_for_the_hs_code(world):
    fill(world, (world.cable, 300))

    exc = refused(world, destination={"country": "IR"})

    assert (exc.code, exc.message) == ("restricted_destination", "Goods with HS code 854442 cannot be shipped to "
                                       "Iran (restricted HS 8544): Cables are under an export embargo.")


def test_a_destination_the_listing_is_not_shipped_to(world):
    fill(world, (world.towel, 20))

    exc = refused(world, destination={"country": "US"})

    assert (exc.code, exc.fields) == ("not_shipped_to_country", {"destination.country": [
        "Bath towel is not shipped to United States of America."]})


def test_a_destination_the_seller_has_no_shipping_rate_for(world):
    fill(world, (world.towel, 20))

    exc = refused(world, destination={"country": "FR"})

    assert (exc.code, exc.fields) == ("no_shipping", {"destination.country": [
        "Tekstil A.S. does not ship to France."]})


def test_a_buyer_currency_without_a_rate(world):
    fill(world, (world.towel, 20))

    exc = refused(world, currency="JPY")

    assert (exc.code, exc.message) == ("fx_unavailable", "No exchange rate is available for JPY.")


def test_a_listing_priced_in_another_currency_than_the_seller_ships_in(world):
    fill(world, (world.towel, 20))
    line = CartLine.objects.get()
    Listing.objects.filter(pk=world.towel.pk).update(currency="USD")

    exc = refused(world)

    assert (exc.code, exc.fields) == ("currency_mismatch", {f"cart.{line.pk}.listing_id": [
        "Bath towel is priced in USD but Tekstil A.S. sells in TRY."]})


def test_a_line_that_no_longer_meets_the_rules(world):
    fill(world, (world.towel, 20))
    line = CartLine.objects.get()
    Listing.objects.filter(pk=world.towel.pk).update(moq=50)

    exc = refused(world)

    assert (exc.code, exc.fields) == ("below_moq", {f"cart.{line.pk}.quantity": [
        "The minimum order quantity of Bath towel is 50."]})


def test_an_empty_cart(world):
    exc = refused(world)

    assert (exc.status_code, exc.code, exc.fields) == (400, "cart_empty", {"cart": ["Your cart is empty."]})


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_idempotency_key_is_required(world, key):
    fill(world, (world.towel, 20))
    before = snapshot()

    with pytest.raises(ApplicationError) as excinfo:
        checkout_place(actor=world.buyer_owner, buyer=world.buyer, idempotency_key=key)

    assert (excinfo.value.status_code, excinfo.value.code) == (400, "idempotency_key_required")
    assert snapshot() == before


@pytest.mark.parametrize("status", [VerificationStatus.UNVERIFIED, VerificationStatus.PENDING])
def test_the_buyer_must_be_verified(world, status):
    fill(world, (world.towel, 20))
    world.buyer.verification_status = status
    world.buyer.save()

    exc = refused(world, exc_type=Forbidden)

    assert (exc.status_code, exc.code, exc.message) == (
        403, "buyer_not_verified", "Your company must be verified before it can place orders.")


def test_a_suspended_buyer_cannot_check_out(world):
    fill(world, (world.towel, 20))
    world.buyer.verification_status = VerificationStatus.SUSPENDED
    world.buyer.save()

    assert refused(world, exc_type=Forbidden).code == "company_suspended"


def test_a_non_member_cannot_check_out_the_cart(world):
    fill(world, (world.towel, 20))

    assert refused(world, exc_type=Forbidden, actor=world.other_owner).status_code == 403


# --- idempotency -----------------------------------------------------------------------------------------

def test_the_same_key_and_request_return_the_same_group(world):
    fill(world, (world.towel, 20), (world.cable, 300))
    first = checkout(world, key="retry-me", destination={"country": "DE", "address": "Dock 3"})
    before = snapshot()

    again = checkout(world, key="retry-me", destination={"country": "de", "address": " Dock 3 "})

    assert again.replayed is True
    assert again.group.pk == first.group.pk
    assert sorted(again.group.orders.values_list("pk", flat=True)) == sorted(
        first.group.orders.values_list("pk", flat=True))
    assert snapshot() == before


def test_the_same_key_with_a_different_request_is_a_conflict(world):
    fill(world, (world.towel, 20))
    checkout(world, key="used", incoterms={world.seller_t.pk: "FOB"})
    fill(world, (world.towel, 10))

    exc = refused(world, exc_type=Conflict, key="used", incoterms={world.seller_t.pk: "EXW"})

    assert (exc.status_code, exc.code, exc.message) == (
        409, "idempotency_key_reused", "This idempotency key was already used for a different checkout.")


def test_a_key_belongs_to_one_buyer(world):
    fill(world, (world.towel, 20))
    checkout(world, key="shared-key")
    fill(world, (world.towel, 10), buyer=world.other, actor=world.other_owner)

    result = checkout(world, key="shared-key", buyer=world.other, actor=world.other_owner)

    assert result.replayed is False
    assert PurchaseGroup.objects.filter(idempotency_key="shared-key").count() == 2


def test_a_failed_checkout_keeps_no_key(world):
    fill(world, (world.towel, 20))
    Listing.objects.filter(pk=world.towel.pk).update(stock=5)
    refused(world, exc_type=Conflict, key="again")
    Listing.objects.filter(pk=world.towel.pk).update(stock=50)

    result = checkout(world, key="again")

    assert result.replayed is False
    assert result.group.orders.get().lines.get().quantity == 20


def test_a_second_key_finds_the_cart_already_checked_out(world):
    fill(world, (world.towel, 20))
    checkout(world, key="one")

    assert refused(world, key="two").code == "cart_empty"


# --- all or nothing --------------------------------------------------------------------------------------

def test_insufficient_stock_of_one_seller_places_nothing(world):
    fill(world, (world.towel, 20), (world.cable, 300))
    Listing.objects.filter(pk=world.cable.pk).update(stock=200)

    exc = refused(world, exc_type=Conflict)

    message = f"Only 200 of Copper cable (listing {world.cable.pk}) are left; your cart has 300."
    assert (exc.status_code, exc.code, exc.message, exc.fields) == (409, "insufficient_stock", message,
                                                                    {"cart": [message]})
    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 2


def test_every_short_listing_is_named(world):
    fill(world, (world.towel, 20), (world.cable, 300))
    Listing.objects.filter(pk__in=[world.towel.pk, world.cable.pk]).update(stock=0)

    exc = refused(world, exc_type=Conflict)

    assert exc.fields == {"cart": [
        f"Only 0 of Bath towel (listing {world.towel.pk}) are left; your cart has 20.",
        f"Only 0 of Copper cable (listing {world.cable.pk}) are left; your cart has 300."]}


def test_a_validation_failure_of_the_second_seller_places_nothing(world):
    fill(world, (world.towel, 20), (world.cable, 300))

    exc = refused(world, incoterms={world.seller_c.pk: "EXW"})

    assert exc.code == "incoterm_not_offered"


def test_the_rate_is_locked_at_placement(world):
    fill(world, (world.towel, 20))
    order = checkout(world).group.orders.get()
    FxRate.objects.create(date=date(2026, 1, 6), currency="TRY", rate=Decimal("50"), source=FxSource.ECB)

    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)

    order.refresh_from_db()
    assert (order.fx_rate, order.fx_rate_date, order.invoice_total_in_buyer_currency) == (
        Decimal("0.02500000"), date(2026, 1, 5), Decimal("50.00"))


def test_the_buyer_can_choose_the_currency_the_orders_are_shown_in(world):
    fill(world, (world.towel, 20))

    order = checkout(world, currency="USD").group.orders.get()

    # 2000.00 TRY x 0.03125 = 62.50; 1065.44 TRY x 0.03125 = 33.295 -> 33.30
    assert (order.buyer_currency, order.fx_rate, order.invoice_total_in_buyer_currency,
            order.buyer_other_costs_in_buyer_currency) == ("USD", Decimal("0.03125000"), Decimal("62.50"),
                                                           Decimal("33.30"))


def test_a_buyer_paying_in_the_sellers_currency_gets_rate_one(world):
    turkish = buyer_company("Zeta Ithalat", country="DE", currency="TRY")
    member = MembershipFactory(company=turkish).user
    fill(world, (world.towel, 20), buyer=turkish, actor=member)

    order = checkout(world, buyer=turkish, actor=member).group.orders.get()

    assert (order.fx_rate, order.fx_source, order.invoice_total_in_buyer_currency) == (
        Decimal("1.00000000"), "par", order.invoice_total)


@pytest.mark.parametrize(("kwargs", "fields"), [
    ({"destination": {"country": "ZZ"}}, {"destination.country": ["ZZ is not an ISO 3166 country code."]}),
    ({"destination": {"city": "Bremen"}}, {"destination.city": ["This field cannot be set."]}),
    ({"incoterms": {"abc": "FOB"}}, {"incoterm": ["Key the Incoterms by seller company id."]}),
    ({"incoterms": {"1": "XXX"}}, {"incoterm": ["XXX is not an Incoterms 2020 rule."]}),
    ({"currency": "EURO"}, {"currency": ["EURO is not an ISO 4217 currency code."]}),
])
def test_malformed_requests(world, kwargs, fields):
    fill(world, (world.towel, 20))

    exc = refused(world, **kwargs)

    assert (exc.status_code, exc.fields) == (400, fields)


def test_a_listing_saved_by_its_seller_during_checkout_is_a_conflict(world, monkeypatch):
    """Lines are priced from the listings as read; a listing saved before its lock is taken is not sold
    on the stale read."""
    fill(world, (world.towel, 20), (world.cable, 300))
    real = module.lock_listings

    def seller_saves_first(ids):
        listing = Listing.objects.get(pk=world.cable.pk)
        listing.price_tiers.filter(min_quantity=100).update(unit_price=Decimal("13.00"))
        listing.save()
        return real(ids)

    monkeypatch.setattr(module, "lock_listings", seller_saves_first)
    before = snapshot()

    with pytest.raises(Conflict) as excinfo:
        checkout(world)

    message = ("Copper cable was changed by its seller while you were checking out; review your cart and try "
               "again.")
    assert (excinfo.value.code, excinfo.value.fields) == ("listing_changed", {"cart": [message]})
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "stock"} == {k: v for k, v in before.items() if k != "stock"}
    assert after["stock"] == before["stock"]



@pytest.mark.parametrize("change", ["stock", "title"])
def test_a_stock_sync_or_a_new_title_during_checkout_does_not_fail_it(world, monkeypatch, change):
    """The buyer agreed to the price, the terms and the shipping, not to the stock figure: a seller's
    stock update (or any change of what the order does not rest on) while a checkout runs lets it go
    on, and the stock is still checked under the lock."""
    fill(world, (world.towel, 20), (world.cable, 300))
    real = module.lock_listings

    def seller_saves_first(ids):
        listing = Listing.objects.get(pk=world.cable.pk)
        if change == "stock":
            listing.stock = 4000
        else:
            listing.title = "Copper cable, new photos"
        listing.save()
        return real(ids)

    monkeypatch.setattr(module, "lock_listings", seller_saves_first)

    group = checkout(world).group

    cable_order = group.orders.get(seller=world.seller_c)
    assert cable_order.lines.get().unit_price == Decimal("12.50")
    expected_stock = 4000 - 300 if change == "stock" else 5000 - 300
    assert Listing.objects.get(pk=world.cable.pk).stock == expected_stock


@pytest.mark.parametrize("change", ["moq", "incoterm", "status"])
def test_a_change_of_what_the_buyer_agreed_to_is_a_conflict(world, monkeypatch, change):
    fill(world, (world.towel, 20), (world.cable, 300))
    real = module.lock_listings

    def seller_saves_first(ids):
        listing = Listing.objects.get(pk=world.cable.pk)
        if change == "moq":
            listing.moq = 200
        elif change == "incoterm":
            listing.incoterm_rows.filter(incoterm="CIF").delete()
        else:
            listing.status = "archived"
        listing.save()
        return real(ids)

    monkeypatch.setattr(module, "lock_listings", seller_saves_first)
    before = snapshot()

    with pytest.raises(Conflict) as excinfo:
        checkout(world)

    assert excinfo.value.code == "listing_changed"
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "stock"} == {k: v for k, v in before.items() if k != "stock"}
