"""Requests for quotation and quotes through the services: the life cycle, who may see and quote,
accepting a quote into an order, every forbidden move (nothing changes), and the deadline task."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import VerificationStatus
from core.exceptions import ApplicationError
from marketplace.models import Listing
from notifications.models import Event
from orders import tasks
from orders.selectors import rfq as selectors_rfq
from orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PurchaseGroup,
    Quote,
    QuoteStatus,
    Rfq,
    RfqAudience,
    RfqStatus,
)
from orders.services import rfq as services
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.orders.rfq_helpers import TOWELS, build_rfq_world, post_rfq, quote_terms, submit_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_rfq_world()


def rows() -> dict:
    return {
        "rfqs": list(Rfq.objects.order_by("pk").values_list("pk", "status", "order_id", "updated_at")),
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "status", "unit_price", "revision",
                                                                "updated_at")),
        "orders": Order.objects.count(), "groups": PurchaseGroup.objects.count(), "lines": OrderLine.objects.count(),
        "events": OrderEvent.objects.count(),
        "stock": list(Listing.objects.order_by("pk").values_list("pk", "stock")),
    }


def fails(call, status: int, code: str | None = None, field: str | None = None) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        call()
    assert info.value.status_code == status
    if code:
        assert info.value.code == code
    if field:
        assert field in info.value.fields
    return info.value


# --- the life cycle --------------------------------------------------------------------------------

def test_post_quote_compare_accept(world):
    rfq = post_rfq(world)
    quote_t = submit_quote(world, rfq)
    quote_h = submit_quote(world, rfq, seller=world.seller_h, unit_price=Decimal("88.00"))

    assert (rfq.status, rfq.audience, rfq.quantity, rfq.target_price, rfq.target_currency) == (
        RfqStatus.OPEN, RfqAudience.CATEGORY, 100, Decimal("85.00"), "TRY")
    assert (quote_t.currency, quote_t.status, quote_t.revision) == ("TRY", QuoteStatus.SUBMITTED, 1)
    assert list(Event.objects.filter(name="rfq.quote_received").order_by("pk").values_list("company_id", flat=True)) \
        == [world.buyer.pk, world.buyer.pk]

    comparison = selectors_rfq.quote_comparison(actor=world.buyer_owner, rfq=rfq)
    assert comparison.display_currency == "EUR"
    assert [(row.quote.pk, row.total, row.unit_price_display, row.total_display, row.can_accept)
            for row in comparison.rows] == [
        (quote_h.pk, Decimal("8800.00"), Decimal("2.20"), Decimal("220.00"), True),
        (quote_t.pk, Decimal("9000.00"), Decimal("2.25"), Decimal("225.00"), True),
    ]

    order, replayed = services.quote_accept(actor=world.buyer_staff, rfq_id=rfq.pk, quote_id=quote_t.pk)

    assert replayed is False
    rfq.refresh_from_db()
    assert (rfq.status, rfq.order_id) == (RfqStatus.AWARDED, order.pk)
    assert dict(Quote.objects.values_list("pk", "status")) == {quote_t.pk: QuoteStatus.ACCEPTED,
                                                                quote_h.pk: QuoteStatus.REJECTED}
    # 100 x 90.00 TRY, 50 kg: shipping 300.00 (seller's under DAP), duty 12 % of 9300.00, VAT 19 %.
    assert (order.status, order.buyer_id, order.seller_id, order.currency, order.buyer_currency, order.fx_rate,
            order.incoterm, str(order.destination_country), order.destination_address) == (
        OrderStatus.PLACED, world.buyer.pk, world.seller_t.pk, "TRY", "EUR", Decimal("0.025"), "DAP", "DE",
        world.buyer.address)
    assert (order.goods_total, order.shipping, order.insurance, order.duty, order.vat, order.total,
            order.invoice_total, order.buyer_other_costs, order.invoice_total_in_buyer_currency,
            order.total_weight_kg) == (
        Decimal("9000.00"), Decimal("300.00"), Decimal("0.00"), Decimal("1116.00"), Decimal("1979.04"),
        Decimal("12395.04"), Decimal("9300.00"), Decimal("3095.04"), Decimal("232.50"), Decimal("50.000"))
    line = order.lines.get()
    assert (line.title, line.hs_code, str(line.origin_country), line.quantity, line.unit_price, line.line_total,
            line.listing_id, line.listing_ref, line.weight_kg) == (
        "Hotel bath towels", "630260", "TR", 100, Decimal("90.00"), Decimal("9000.00"), None, 0, Decimal("50.000"))
    assert order.purchase_group.idempotency_key == f"rfq-quote-{quote_t.pk}"
    event = order.events.get()
    assert (event.from_status, event.to_status, event.role, event.actor_id, event.payload) == (
        "", OrderStatus.PLACED, "buyer", world.buyer_staff.pk,
        {"purchase_group": order.purchase_group_id, "rfq": rfq.pk, "quote": quote_t.pk,
         "landed_cost_estimated": True, "payment_terms": "advance", "lead_time_days": 21})
    assert list(Event.objects.filter(name="rfq.quote_accepted").values_list("company_id", "context__order_id")) == [
        (world.seller_t.pk, order.pk)]
    assert Event.objects.filter(name="order.placed", company=world.seller_t).count() == 1
    # No stock is reserved for quoted goods.
    assert Listing.objects.get(pk=world.towel.pk).stock == 1000


def test_accepting_the_same_quote_twice_gives_the_same_order(world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    first, _ = services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)
    before = rows()

    again, replayed = services.quote_accept(actor=world.buyer_staff, rfq_id=rfq.pk, quote_id=quote.pk)

    assert (again.pk, replayed) == (first.pk, True)
    assert rows() == before


def test_a_quote_on_a_listing_takes_its_goods_details(world):
    rfq = post_rfq(world)
    quote = services.quote_submit(actor=world.seller_t_owner, seller=world.seller_t, rfq_id=rfq.pk,
                                  **quote_terms(hs_code="", origin_country="", unit_weight_kg=None,
                                                listing_id=world.towel.pk))
    order, _ = services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)

    line = order.lines.get()
    assert (quote.listing_id, quote.hs_code, str(quote.origin_country), quote.unit_weight_kg) == (
        world.towel.pk, "630260", "TR", Decimal("0.500"))
    assert (line.listing_id, line.listing_ref) == (world.towel.pk, world.towel.pk)


def test_without_a_shipping_rate_the_order_carries_the_goods_only(world):
    rfq = post_rfq(world, destination_country="FR", destination_address="1 rue de Rivoli, Paris")
    quote = submit_quote(world, rfq, incoterm="FOB")
    order, _ = services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)

    assert (order.goods_total, order.shipping, order.duty, order.vat, order.invoice_total, order.buyer_other_costs,
            order.destination_address, order.incoterm) == (
        Decimal("9000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("9000.00"),
        Decimal("0.00"), "1 rue de Rivoli, Paris", "FOB")
    assert order.events.get().payload["landed_cost_estimated"] is False


def test_revise_and_withdraw(world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)

    revised = services.quote_revise(actor=world.seller_t_owner, quote_id=quote.pk, unit_price=Decimal("87.50"),
                                    lead_time_days=14)
    assert (revised.pk, revised.unit_price, revised.lead_time_days, revised.moq, revised.revision) == (
        quote.pk, Decimal("87.50"), 14, 50, 2)
    assert Event.objects.filter(name="rfq.quote_received", context__revised=True).count() == 1

    withdrawn = services.quote_withdraw(actor=world.seller_t_owner, quote_id=quote.pk)
    assert withdrawn.status == QuoteStatus.WITHDRAWN
    # A withdrawn quote leaves room for a new one.
    again = submit_quote(world, rfq, unit_price=Decimal("86.00"))
    assert again.pk != quote.pk
    assert Quote.objects.filter(rfq=rfq, seller=world.seller_t).count() == 2


def test_cancel(world):
    rfq = post_rfq(world)
    cancelled = services.rfq_cancel(actor=world.buyer_owner, rfq_id=rfq.pk)
    assert cancelled.status == RfqStatus.CANCELLED
    fails(lambda: services.rfq_cancel(actor=world.buyer_owner, rfq_id=rfq.pk), 409, "rfq_not_open")
    fails(lambda: submit_quote(world, rfq), 409, "rfq_not_open")


# --- who sees and who quotes -----------------------------------------------------------------------

def test_visibility_by_category_and_by_invitation(world):
    public = post_rfq(world)
    invited = post_rfq(world, title="Cables", category="electronics/components", recipients=[world.seller_h.pk])

    def seen(user, role="seller"):
        return set(selectors_rfq.rfq_list(actor=user, role=role).values_list("pk", flat=True))

    assert seen(world.seller_t_owner) == {public.pk}
    assert seen(world.seller_h_owner) == {public.pk, invited.pk}
    assert seen(world.seller_c_owner) == set()
    assert seen(world.buyer_owner, role="buyer") == {public.pk, invited.pk}
    assert seen(world.other_owner, role=None) == set()
    assert invited.audience == RfqAudience.INVITED
    with pytest.raises(Http404):
        selectors_rfq.rfq_get(actor=world.other_owner, pk=public.pk)
    with pytest.raises(Http404):
        selectors_rfq.rfq_get(actor=world.seller_t_owner, pk=invited.pk)


def test_parent_category_requests_reach_sellers_of_a_child(world):
    rfq = post_rfq(world, category="textiles")
    assert selectors_rfq.rfq_get(actor=world.seller_t_owner, pk=rfq.pk) == rfq


def test_a_seller_that_quoted_keeps_seeing_the_request_after_it_closed(world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    services.rfq_close_expired()

    assert selectors_rfq.rfq_get(actor=world.seller_t_owner, pk=rfq.pk).status == RfqStatus.CLOSED
    with pytest.raises(Http404):
        selectors_rfq.rfq_get(actor=world.seller_h_owner, pk=rfq.pk)


def test_a_seller_sees_only_its_own_quotes(world):
    rfq = post_rfq(world)
    mine = submit_quote(world, rfq)
    theirs = submit_quote(world, rfq, seller=world.seller_h)

    assert list(selectors_rfq.quote_list(actor=world.seller_t_owner, rfq_id=rfq.pk)) == [mine]
    assert set(selectors_rfq.quote_list(actor=world.buyer_owner, rfq_id=rfq.pk)) == {mine, theirs}
    with pytest.raises(Http404):
        selectors_rfq.quote_get(actor=world.seller_t_owner, pk=theirs.pk)
    with pytest.raises(Http404):
        selectors_rfq.quote_comparison(actor=world.seller_t_owner, rfq=rfq)


# --- forbidden moves: nothing changes ----------------------------------------------------------------

def test_a_seller_cannot_quote_on_its_own_companys_request(world):
    world.seller_t.kind = "both"
    world.seller_t.save(update_fields=["kind"])
    rfq = post_rfq(world, actor=world.seller_t_owner, buyer=world.seller_t)
    before = rows()

    fails(lambda: submit_quote(world, rfq), 403, "own_rfq")
    assert rows() == before
    assert selectors_rfq.rfq_list(actor=world.seller_t_owner, role="seller").count() == 0


def test_a_seller_outside_the_audience_cannot_quote(world):
    rfq = post_rfq(world)
    before = rows()
    with pytest.raises(Http404):
        services.quote_submit(actor=world.seller_c_owner, seller=world.seller_c, rfq_id=rfq.pk, **quote_terms())
    invited = post_rfq(world, recipients=[world.seller_h.pk])
    with pytest.raises(Http404):
        submit_quote(world, invited)
    assert Quote.objects.count() == 0
    assert rows()["quotes"] == before["quotes"]


def test_unverified_seller_and_non_member_cannot_quote(world):
    rfq = post_rfq(world)
    world.seller_h.verification_status = VerificationStatus.PENDING
    world.seller_h.save(update_fields=["verification_status"])

    fails(lambda: submit_quote(world, rfq, seller=world.seller_h), 403, "seller_not_verified")
    fails(lambda: services.quote_submit(actor=world.seller_h_owner, seller=world.seller_t, rfq_id=rfq.pk,
                                        **quote_terms()), 403)
    assert Quote.objects.count() == 0


def test_one_live_quote_per_seller(world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    before = rows()
    fails(lambda: submit_quote(world, rfq, unit_price=Decimal("80.00")), 409, "quote_exists")
    assert rows() == before


def test_a_competitor_cannot_revise_or_withdraw_a_quote(world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    before = rows()
    fails(lambda: services.quote_revise(actor=world.seller_h_owner, quote_id=quote.pk, unit_price="1.00"), 403)
    fails(lambda: services.quote_withdraw(actor=world.seller_h_owner, quote_id=quote.pk), 403)
    fails(lambda: services.quote_withdraw(actor=world.buyer_owner, quote_id=quote.pk), 403)
    assert rows() == before


def test_accepting_an_expired_quote_is_refused(world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    before = rows()

    fails(lambda: services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk), 409,
          "quote_expired")
    assert rows() == before


def test_accepting_after_the_deadline_is_refused(world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    before = rows()

    fails(lambda: services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk), 409,
          "rfq_deadline_passed")
    assert rows() == before
    services.rfq_close_expired()
    fails(lambda: services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk), 409,
          "rfq_not_open")
    fails(lambda: services.quote_withdraw(actor=world.seller_t_owner, quote_id=quote.pk), 409, "rfq_not_open")


def test_accepting_a_second_quote_after_an_award_is_a_conflict(world):
    rfq = post_rfq(world)
    first = submit_quote(world, rfq)
    second = submit_quote(world, rfq, seller=world.seller_h)
    services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=first.pk)
    before = rows()

    fails(lambda: services.quote_accept(actor=world.buyer_staff, rfq_id=rfq.pk, quote_id=second.pk), 409,
          "rfq_awarded")
    assert rows() == before
    fails(lambda: services.quote_revise(actor=world.seller_t_owner, quote_id=first.pk, unit_price="1.00"), 409,
          "quote_not_submitted")


def test_accepting_withdrawn_or_foreign_quotes(world):
    rfq = post_rfq(world)
    other_rfq = post_rfq(world, title="Other")
    quote = submit_quote(world, rfq)
    foreign = submit_quote(world, other_rfq)
    services.quote_withdraw(actor=world.seller_t_owner, quote_id=quote.pk)
    before = rows()

    fails(lambda: services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk), 409,
          "quote_not_submitted")
    fails(lambda: services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=foreign.pk), 400,
          "quote_not_found", "quote")
    with pytest.raises(Http404):
        services.quote_accept(actor=world.other_owner, rfq_id=rfq.pk, quote_id=quote.pk)
    with pytest.raises(Http404):
        services.quote_accept(actor=world.seller_t_owner, rfq_id=other_rfq.pk, quote_id=foreign.pk)
    assert rows() == before


def test_only_verified_buyers_post(world):
    world.other.verification_status = VerificationStatus.PENDING
    world.other.save(update_fields=["verification_status"])
    fails(lambda: post_rfq(world, actor=world.other_owner, buyer=world.other), 403, "buyer_not_verified")
    fails(lambda: post_rfq(world, actor=world.other_owner, buyer=world.buyer), 403)
    seller_only = CompanyFactory(kind="seller", verification_status=VerificationStatus.VERIFIED)
    member = MembershipFactory(company=seller_only).user
    fails(lambda: post_rfq(world, actor=member, buyer=seller_only), 403, "not_a_buyer")
    assert Rfq.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "<script>alert(1)</script>"}, "title"),
    ({"description": "<b>bold</b>"}, "description"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": "many"}, "quantity"),
    ({"category": "no/such"}, "category"),
    ({"unit": "barrel"}, "unit"),
    ({"incoterm": "XXX"}, "incoterm"),
    ({"destination_country": "XX"}, "destination_country"),
    ({"destination_country": "KP"}, "destination_country"),
    ({"target_price": "-1"}, "target_price"),
    ({"target_price": "1.234"}, "target_price"),
    ({"target_currency": ""}, "target_currency"),
    ({"target_currency": "ABC"}, "target_currency"),
    ({"deadline": "tomorrow"}, "deadline"),
    ({"recipients": [999999]}, "recipients"),
])
def test_invalid_requests(world, overrides, field, request):
    if overrides.get("recipients") == [999999]:
        overrides = {"recipients": [world.buyer.pk]}
    fails(lambda: post_rfq(world, **overrides), 400, field=field)
    assert Rfq.objects.count() == 0


@pytest.mark.parametrize("delta", [timedelta(seconds=-1), timedelta(days=90, minutes=1)])
def test_deadline_bounds(world, delta):
    fails(lambda: post_rfq(world, deadline=timezone.now() + delta), 400, field="deadline")
    assert post_rfq(world, deadline=timezone.now() + timedelta(days=89)).status == RfqStatus.OPEN


def test_a_target_price_of_zero_is_allowed_and_none_is_optional(world):
    assert post_rfq(world, target_price="0").target_price == Decimal("0.00")
    free = post_rfq(world, target_price=None, target_currency="")
    assert (free.target_price, free.target_currency) == (None, "")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"unit_price": "0"}, "unit_price"),
    ({"unit_price": "abc"}, "unit_price"),
    ({"moq": 0}, "moq"),
    ({"moq": 101}, "moq"),
    ({"lead_time_days": -1}, "lead_time_days"),
    ({"incoterm": "ZZZ"}, "incoterm"),
    ({"valid_until": "yesterday"}, "valid_until"),
    ({"hs_code": "12"}, "hs_code"),
    ({"origin_country": "QQ"}, "origin_country"),
    ({"note": "<img src=x onerror=alert(1)>"}, "note"),
    ({"listing_id": 999999}, "listing_id"),
])
def test_invalid_quotes(world, overrides, field):
    rfq = post_rfq(world)
    fails(lambda: submit_quote(world, rfq, **overrides), 400, field=field)
    assert Quote.objects.count() == 0


def test_quote_validity_and_competitor_listing(world):
    rfq = post_rfq(world)
    fails(lambda: submit_quote(world, rfq, valid_until=timezone.localdate() - timedelta(days=1)), 400,
          field="valid_until")
    fails(lambda: submit_quote(world, rfq, listing_id=world.towel_h.pk), 400, field="listing_id")
    assert Quote.objects.count() == 0


def test_goods_that_cannot_go_to_the_destination_cannot_be_quoted(world):
    rfq = post_rfq(world, destination_country="IR", category="electronics/components")
    fails(lambda: services.quote_submit(actor=world.seller_c_owner, seller=world.seller_c, rfq_id=rfq.pk,
                                        **quote_terms(hs_code="854442", incoterm="CIF")), 400,
          "restricted_destination", "hs_code")
    assert Quote.objects.count() == 0


# --- closing at the deadline ---------------------------------------------------------------------

def test_the_close_task_closes_each_expired_request_once(world):
    now = timezone.now()
    due = post_rfq(world)
    later = post_rfq(world, title="Later")
    awarded = post_rfq(world, title="Awarded")
    quote = submit_quote(world, awarded)
    services.quote_accept(actor=world.buyer_owner, rfq_id=awarded.pk, quote_id=quote.pk)
    Rfq.objects.filter(pk__in=[due.pk, awarded.pk]).update(deadline=now - timedelta(minutes=5))

    assert tasks.rfq_close_expired() == 1
    closed_at = Rfq.objects.get(pk=due.pk).closed_at
    assert tasks.rfq_close_expired() == 0

    assert dict(Rfq.objects.values_list("pk", "status")) == {
        due.pk: RfqStatus.CLOSED, later.pk: RfqStatus.OPEN, awarded.pk: RfqStatus.AWARDED}
    assert Rfq.objects.get(pk=due.pk).closed_at == closed_at
    assert closed_at is not None


def test_an_expired_request_leaves_the_sellers_board(world):
    rfq = post_rfq(world)
    assert list(selectors_rfq.rfq_board_for_seller(seller=world.seller_t)) == [rfq]
    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert list(selectors_rfq.rfq_board_for_seller(seller=world.seller_t)) == []
    fails(lambda: submit_quote(world, rfq), 409, "rfq_deadline_passed")


def test_recipients_make_the_request_invited_only(world):
    rfq = post_rfq(world, recipients=[world.seller_h.pk, world.seller_h.pk], category=TOWELS)
    assert list(rfq.recipients.values_list("seller_id", flat=True)) == [world.seller_h.pk]
    assert selectors_rfq.rfq_list(actor=world.seller_t_owner, role="seller").count() == 0
    quote = submit_quote(world, rfq, seller=world.seller_h)
    assert quote.rfq_id == rfq.pk


def test_accepting_a_quote_with_payment_terms_the_seller_offers(world):
    from orders.services.payments import payment_term_add

    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    with pytest.raises(ApplicationError) as exc:
        services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk, payment_terms="net_30")
    assert exc.value.fields == {"payment_terms": [
        "Tekstil A.S. offers you these payment terms: 30% deposit with the order, balance before shipment."]}
    assert Order.objects.count() == 0

    order, _replayed = services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk,
                                             payment_terms="deposit_30")

    assert (order.payment_terms, order.deposit_percent) == ("deposit", 30)
    assert list(order.instalments.values_list("due", "amount")) == [
        ("on_acceptance", Decimal("2790.00")), ("before_shipment", Decimal("6510.00"))]


def test_the_page_state_of_a_request_for_each_viewer(world):
    rfq = post_rfq(world)
    buyer_page = selectors_rfq.rfq_page(actor=world.buyer_owner, rfq=rfq, company_id=world.buyer.pk)
    assert (buyer_page.is_buyer, buyer_page.is_open, buyer_page.seller_id, buyer_page.may_quote) == (
        True, True, None, False)
    seller_page = selectors_rfq.rfq_page(actor=world.seller_t_owner, rfq=rfq, company_id=world.seller_t.pk)
    assert (seller_page.is_buyer, seller_page.seller_id, seller_page.my_quote, seller_page.may_quote,
            seller_page.revising) == (False, world.seller_t.pk, None, True, False)
    quote = submit_quote(world, rfq)
    revising = selectors_rfq.rfq_page(actor=world.seller_t_owner, rfq=rfq, company_id=world.seller_t.pk)
    assert (revising.my_quote, revising.may_quote, revising.revising) == (quote, True, True)
    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    rfq.refresh_from_db()
    closed = selectors_rfq.rfq_page(actor=world.seller_t_owner, rfq=rfq, company_id=world.seller_t.pk)
    assert (closed.is_open, closed.may_quote, closed.revising) == (False, False, False)
