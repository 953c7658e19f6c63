"""The cart: each rule refused with a 400 on its field and nothing changed, tier prices, display in the
buyer's currency, sharing between members, and a query count that does not grow with the lines."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.models import CompanyKind, VerificationStatus
from core.exceptions import ApplicationError, Forbidden
from fx.selectors import fx_convert
from marketplace.models import Listing, ListingStatus, PriceTier
from orders import selectors, services
from orders.models import CartLine
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import buyer_company, cable, snapshot, towel

pytestmark = pytest.mark.django_db


def add(world, listing, quantity, *, incoterm=None, buyer=None, actor=None):
    return services.cart_line_add(actor=actor or world.buyer_owner, buyer=buyer or world.buyer,
                                  listing_id=getattr(listing, "pk", listing), quantity=quantity, incoterm=incoterm)


def refused(world, listing, quantity, *, incoterm=None, buyer=None, actor=None) -> ApplicationError:
    before = snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        add(world, listing, quantity, incoterm=incoterm, buyer=buyer, actor=actor)
    assert snapshot() == before
    return excinfo.value


def error(exc: ApplicationError) -> tuple:
    return exc.status_code, exc.code, exc.fields


# --- rules -----------------------------------------------------------------------------------------------

def test_a_line_is_added_with_the_chosen_incoterm(world):
    line, created = add(world, world.towel, 15, incoterm="fob")

    assert created is True
    assert (line.cart.buyer, line.listing_id, line.quantity, line.incoterm, line.added_by) == (
        world.buyer, world.towel.pk, 15, "FOB", world.buyer_owner)


def test_a_draft_listing_cannot_be_added(world):
    Listing.objects.filter(pk=world.towel.pk).update(status=ListingStatus.DRAFT)

    assert error(refused(world, world.towel, 10)) == (400, "listing_unavailable", {
        "listing_id": ["This listing is not available."]})


def test_a_listing_of_a_suspended_seller_cannot_be_added(world):
    world.seller_t.verification_status = VerificationStatus.SUSPENDED
    world.seller_t.save()

    assert error(refused(world, world.towel, 10))[1] == "listing_unavailable"


def test_an_unknown_listing_cannot_be_added(world):
    assert error(refused(world, 999_999, 10))[1:] == ("listing_unavailable", {
        "listing_id": ["This listing is not available."]})


def test_a_company_cannot_order_its_own_listing(world):
    world.seller_t.kind = CompanyKind.BOTH
    world.seller_t.save()

    exc = refused(world, world.towel, 10, buyer=world.seller_t, actor=world.seller_t_owner)

    assert error(exc) == (400, "own_listing", {"listing_id": ["You cannot order your own company's listing."]})


def test_below_the_moq(world):
    assert error(refused(world, world.towel, 5)) == (400, "below_moq", {
        "quantity": ["The minimum order quantity of Bath towel is 10."]})


@pytest.mark.parametrize("quantity", [11, 12, 14, 16, 49])
def test_quantities_off_the_order_multiple(world, quantity):
    assert error(refused(world, world.towel, quantity)) == (400, "not_order_multiple", {
        "quantity": ["Order Bath towel in the minimum quantity (10) plus multiples of 5."]})


@pytest.mark.parametrize("quantity", [10, 15, 20, 995])
def test_the_moq_plus_multiples_are_accepted(world, quantity):
    line, _created = add(world, world.towel, quantity)
    assert line.quantity == quantity


def test_more_than_the_stock(world):
    assert error(refused(world, world.towel, 1005)) == (400, "insufficient_stock", {
        "quantity": ["Only 1000 of Bath towel are in stock."]})


def test_a_listing_not_shipped_to_the_buyers_country(world):
    american = buyer_company("Delta Trading Inc", country="US", currency="USD")
    member = MembershipFactory(company=american).user

    exc = refused(world, world.towel, 10, buyer=american, actor=member)

    assert error(exc) == (400, "not_shipped_to_country", {
        "listing_id": ["Bath towel is not shipped to United States of America."]})


def test_a_listing_shipped_only_to_listed_countries(world):
    french = buyer_company("Epsilon SARL", country="FR")
    member = MembershipFactory(company=french).user

    assert error(refused(world, world.cable, 100, buyer=french, actor=member))[1] == "not_shipped_to_country"
    line, _created = add(world, world.cable, 100)
    assert line.quantity == 100


def test_an_incoterm_the_listing_does_not_offer(world):
    assert error(refused(world, world.towel, 10, incoterm="CIF")) == (400, "incoterm_not_offered", {
        "incoterm": ["Bath towel is offered under DAP, EXW, FOB only."]})


def test_an_unknown_incoterm(world):
    assert error(refused(world, world.towel, 10, incoterm="XYZ")) == (400, "validation_error", {
        "incoterm": ["XYZ is not an Incoterms 2020 rule."]})


def test_a_quantity_without_a_price_tier(world):
    PriceTier.objects.filter(listing=world.towel).delete()

    assert error(refused(world, world.towel, 10)) == (400, "no_price", {
        "quantity": ["Bath towel has no price for this quantity."]})


def test_a_seller_only_company_cannot_buy(world):
    exc = refused(world, world.cable, 100, buyer=world.seller_t, actor=world.seller_t_owner)

    assert (exc.status_code, exc.code) == (403, "not_a_buyer")


@pytest.mark.parametrize(("status", "code"), [(VerificationStatus.SUSPENDED, "company_suspended"),
                                              (VerificationStatus.REJECTED, "buyer_blocked")])
def test_a_suspended_or_rejected_buyer_cannot_fill_a_cart(world, status, code):
    world.buyer.verification_status = status
    world.buyer.save()

    exc = refused(world, world.towel, 10)

    assert (exc.status_code, exc.code) == (403, code)


def test_an_unverified_buyer_fills_a_cart(world):
    world.buyer.verification_status = VerificationStatus.UNVERIFIED
    world.buyer.save()

    line, _created = add(world, world.towel, 10)
    assert line.quantity == 10


def test_a_non_member_cannot_touch_the_cart(world):
    exc = refused(world, world.towel, 10, actor=world.other_owner)

    assert isinstance(exc, Forbidden)
    assert exc.message == "Only members of the buying company can do that."


def test_the_cart_holds_a_limited_number_of_lines(world, settings):
    settings.ORDER_CART_MAX_LINES = 1
    add(world, world.towel, 10)

    assert error(refused(world, world.cable, 100)) == (400, "cart_full", {
        "listing_id": ["A cart holds at most 1 lines."]})


# --- adding again, updating, removing --------------------------------------------------------------------

def test_adding_a_listing_again_adds_to_its_line(world):
    first, _ = add(world, world.towel, 10, incoterm="EXW")
    second, created = add(world, world.towel, 15)

    assert created is False
    assert second.pk == first.pk
    assert (second.quantity, second.incoterm) == (25, "EXW")
    assert CartLine.objects.count() == 1


def test_the_sum_must_meet_the_rules(world):
    add(world, world.towel, 10)

    exc = refused(world, world.towel, 995)

    assert error(exc)[1] == "insufficient_stock"
    assert CartLine.objects.get().quantity == 10


def test_update_quantity_and_incoterm(world):
    line, _ = add(world, world.towel, 10)

    updated = services.cart_line_update(actor=world.buyer_staff, buyer=world.buyer, line_id=line.pk, quantity=50,
                                        incoterm="DAP")
    assert (updated.quantity, updated.incoterm) == (50, "DAP")
    cleared = services.cart_line_update(actor=world.buyer_owner, buyer=world.buyer, line_id=line.pk, incoterm="")
    assert (cleared.quantity, cleared.incoterm) == (50, "")


def test_update_checks_the_rules(world):
    line, _ = add(world, world.towel, 10)
    before = snapshot()

    with pytest.raises(ApplicationError) as excinfo:
        services.cart_line_update(actor=world.buyer_owner, buyer=world.buyer, line_id=line.pk, quantity=13)

    assert error(excinfo.value)[1] == "not_order_multiple"
    assert snapshot() == before


def test_another_buyers_line_is_not_found(world):
    line, _ = add(world, world.towel, 10)
    before = snapshot()

    with pytest.raises(Http404):
        services.cart_line_update(actor=world.other_owner, buyer=world.other, line_id=line.pk, quantity=15)
    with pytest.raises(Http404):
        services.cart_line_remove(actor=world.other_owner, buyer=world.other, line_id=line.pk)
    assert snapshot()["cart_lines"] == before["cart_lines"]


def test_remove_and_clear(world):
    towel_line, _ = add(world, world.towel, 10)
    add(world, world.cable, 100)

    services.cart_line_remove(actor=world.buyer_owner, buyer=world.buyer, line_id=towel_line.pk)
    assert list(CartLine.objects.values_list("listing_id", flat=True)) == [world.cable.pk]
    assert services.cart_clear(actor=world.buyer_staff, buyer=world.buyer) == 1
    assert CartLine.objects.count() == 0


def test_members_share_the_cart(world):
    add(world, world.towel, 10, actor=world.buyer_staff)
    add(world, world.cable, 100, actor=world.buyer_owner)

    cart = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer)
    assert [line.listing_id for group in cart.groups for line in group.lines] == [world.towel.pk, world.cable.pk]
    assert selectors.cart_get(actor=world.buyer_staff, buyer=world.buyer) == cart


# --- prices and display ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("quantity", "unit_price", "line_total"), [
    (10, "100.00", "1000.00"), (45, "100.00", "4500.00"), (50, "90.00", "4500.00"), (195, "90.00", "17550.00"),
    (200, "80.00", "16000.00"), (995, "80.00", "79600.00")])
def test_tier_prices(world, quantity, unit_price, line_total):
    add(world, world.towel, quantity)

    [group] = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer).groups
    [line] = group.lines
    assert (line.unit_price, line.line_total, line.currency) == (Decimal(unit_price), Decimal(line_total), "TRY")
    assert line.line_total_display == Decimal(line_total) * Decimal("0.025")


def test_cart_in_the_buyers_currency(world):
    add(world, world.towel, 50)
    add(world, world.cable, 1000, incoterm="CIF")

    cart = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer)

    assert (cart.buyer_id, cart.display_currency, cart.fx_as_of, cart.line_count, cart.total_display) == (
        world.buyer.pk, "EUR", date(2026, 1, 5), 2, Decimal("1487.50"))
    towel_group, cable_group = cart.groups
    assert (towel_group.seller_id, towel_group.seller_name, towel_group.currency, towel_group.fx_rate,
            towel_group.fx_as_of, towel_group.fx_source, towel_group.subtotal, towel_group.subtotal_display) == (
        world.seller_t.pk, "Tekstil A.S.", "TRY", Decimal("0.02500000"), date(2026, 1, 5), "ecb", Decimal("4500.00"),
        Decimal("112.50"))
    assert (cable_group.seller_id, cable_group.currency, cable_group.fx_rate, cable_group.subtotal,
            cable_group.subtotal_display) == (world.seller_c.pk, "CNY", Decimal("0.12500000"), Decimal("11000.00"),
                                              Decimal("1375.00"))
    [cable_line] = cable_group.lines
    assert (cable_line.quantity, cable_line.incoterm, cable_line.offered_incoterms, cable_line.unit_price,
            cable_line.line_total, cable_line.line_total_display, cable_line.problems) == (
        1000, "CIF", ["CIF", "FOB"], Decimal("11.00"), Decimal("11000.00"), Decimal("1375.00"), [])


def test_cart_in_another_currency_rounds_half_up_like_fx_convert(world):
    add(world, world.towel, 15)
    add(world, world.cable, 100)

    cart = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer, currency="usd")

    towel_group, cable_group = cart.groups
    assert cart.display_currency == "USD"
    assert towel_group.fx_rate == Decimal("0.03125000")
    # 1500.00 TRY x 0.03125 = 46.875 -> 46.88; 1250.00 CNY x 0.15625 = 195.3125 -> 195.31
    assert towel_group.lines[0].line_total_display == Decimal("46.88")
    assert towel_group.subtotal_display == fx_convert(amount=Decimal("1500.00"), base="TRY", quote="USD")[0]
    assert cable_group.subtotal_display == Decimal("195.31")
    assert cart.total_display == Decimal("242.19")


def test_a_currency_without_a_rate_leaves_display_amounts_empty(world):
    add(world, world.towel, 10)

    cart = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer, currency="JPY")

    [group] = cart.groups
    assert (group.fx_rate, group.fx_as_of, group.subtotal, group.subtotal_display, cart.total_display) == (
        None, None, Decimal("1000.00"), None, None)
    assert group.lines[0].line_total_display is None


def test_an_unknown_display_currency_is_a_400(world):
    with pytest.raises(ApplicationError) as excinfo:
        selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer, currency="XXQ")
    assert excinfo.value.fields == {"currency": ["XXQ is not an ISO 4217 currency code."]}


def test_lines_that_would_fail_at_checkout_name_their_problems(world):
    add(world, world.towel, 20, incoterm="DAP")
    Listing.objects.filter(pk=world.towel.pk).update(stock=5, status=ListingStatus.ARCHIVED)
    world.towel.incoterm_rows.filter(incoterm="DAP").delete()

    [group] = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer).groups

    assert group.lines[0].problems == ["This listing is no longer available.", "Only 5 left in stock.",
                                       "The seller no longer offers DAP for this listing."]


def test_someone_elses_cart_is_not_found(world):
    with pytest.raises(Http404):
        selectors.cart_get(actor=world.other_owner, buyer=world.buyer)


def test_the_query_count_does_not_grow_with_the_lines(world):
    extra = [towel(world.seller_t, title=f"Towel {n}") for n in range(8)] + [
        cable(world.seller_c, title=f"Cable {n}") for n in range(2)]
    add(world, world.towel, 10)
    add(world, world.cable, 100)
    with CaptureQueriesContext(connection) as few:
        small = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer)
    for listing in extra:
        add(world, listing, listing.moq)
    with CaptureQueriesContext(connection) as many:
        large = selectors.cart_get(actor=world.buyer_owner, buyer=world.buyer)

    assert (small.line_count, large.line_count) == (2, 12)
    # membership, lines, tiers, Incoterms, visible listings, listings shipping to DE, one rate query per
    # listing currency (TRY, CNY), the date of the newest rate
    assert len(few) == len(many) == 9
