"""Webhooks follow an order or a request from either side: every event names its actor, the company
that moved gets its own moves on its webhooks (its people are not told again), and the RFQ events
exist (invited, quote received, accepted, rejected, closed)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Channel, Delivery, Event, WebhookEndpoint
from notifications.services import notify_webhooks
from orders.models import OrderStatus as S
from orders.services import flow
from orders.services import rfq as rfq_services
from tests.orders.helpers import order_in
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

RFQ_EVENTS = ["rfq.closed", "rfq.invited", "rfq.quote_accepted", "rfq.quote_received", "rfq.quote_rejected"]


@pytest.fixture
def world(db):
    return build_rfq_world()


def _hook(company, events) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(company=company, url=f"https://erp-{company.pk}.example/hooks",
                                          secret="whsec_x", events=list(events))


def _received(company, event: str) -> list[dict]:
    """The data of `event` sent to the company's webhooks, oldest first."""
    return [d.event.context for d in Delivery.objects.filter(channel=Channel.WEBHOOK, endpoint__company=company,
                                                             event__name=event).order_by("pk")]


def _people(company, event: str) -> set[tuple[str, int]]:
    return set(Delivery.objects.filter(event__company=company, event__name=event).exclude(
        channel=Channel.WEBHOOK).values_list("channel", "recipient_id"))


def _actor(company, user, role: str) -> dict:
    return {"company_id": company.pk, "company_name": company.legal_name, "user_id": user.pk,
            "user_name": user.full_name, "role": role}


def test_the_rfq_events_can_be_subscribed_to(world):
    from notifications import events

    assert all(events.get(name).webhook for name in RFQ_EVENTS)


def test_invited_sellers_get_rfq_invited(world):
    for seller in (world.seller_t, world.seller_h, world.seller_c):
        _hook(seller, RFQ_EVENTS)

    rfq = post_rfq(world, recipients=[world.seller_t.pk, world.seller_h.pk])

    for seller in (world.seller_t, world.seller_h):
        [data] = _received(seller, "rfq.invited")
        assert data == {"rfq_id": rfq.pk, "rfq_title": "Hotel bath towels", "buyer_id": world.buyer.pk,
                        "buyer_name": world.buyer.legal_name, "party": "seller",
                        "actor": _actor(world.buyer, world.buyer_owner, "buyer")}
    assert _received(world.seller_c, "rfq.invited") == []
    assert (Channel.IN_APP, world.seller_h_owner.pk) in _people(world.seller_h, "rfq.invited")


def test_a_request_to_the_whole_category_invites_no_one_by_name(world):
    _hook(world.seller_t, RFQ_EVENTS)

    post_rfq(world)

    assert Event.objects.filter(name="rfq.invited").count() == 0


def test_a_quote_goes_to_the_buyer_and_to_the_sellers_own_webhooks(world):
    _hook(world.buyer, RFQ_EVENTS)
    _hook(world.seller_t, RFQ_EVENTS)
    rfq = post_rfq(world)

    quote = submit_quote(world, rfq)

    actor = _actor(world.seller_t, world.seller_t_owner, "seller")
    [to_buyer] = _received(world.buyer, "rfq.quote_received")
    [own] = _received(world.seller_t, "rfq.quote_received")
    assert (to_buyer["party"], to_buyer["quote_id"], to_buyer["unit_price"], to_buyer["actor"]) == (
        "buyer", quote.pk, "90.00", actor)
    assert (own["party"], own["quote_id"], own["actor"]) == ("seller", quote.pk, actor)
    assert _people(world.seller_t, "rfq.quote_received") == set()  # its people made the move
    assert (Channel.IN_APP, world.buyer_owner.pk) in _people(world.buyer, "rfq.quote_received")


def test_accepting_tells_the_winner_the_losers_and_the_buyers_own_webhooks(world):
    for company in (world.buyer, world.seller_t, world.seller_h):
        _hook(company, RFQ_EVENTS + ["order.placed"])
    rfq = post_rfq(world)
    winner = submit_quote(world, rfq)
    loser = submit_quote(world, rfq, seller=world.seller_h)

    order, _replayed = rfq_services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=winner.pk)

    actor = _actor(world.buyer, world.buyer_owner, "buyer")
    [accepted] = _received(world.seller_t, "rfq.quote_accepted")
    assert (accepted["quote_id"], accepted["order_id"], accepted["party"], accepted["actor"]) == (
        winner.pk, order.pk, "seller", actor)
    [own] = _received(world.buyer, "rfq.quote_accepted")
    assert (own["order_id"], own["party"]) == (order.pk, "buyer")
    [rejected] = _received(world.seller_h, "rfq.quote_rejected")
    assert (rejected["quote_id"], rejected["party"], rejected["actor"]) == (loser.pk, "seller", actor)
    assert _received(world.seller_t, "rfq.quote_rejected") == []
    assert (Channel.IN_APP, world.seller_h_owner.pk) in _people(world.seller_h, "rfq.quote_rejected")
    # The order the acceptance placed reaches both companies' webhooks too.
    assert [d["party"] for d in _received(world.seller_t, "order.placed")] == ["seller"]
    assert [d["party"] for d in _received(world.buyer, "order.placed")] == ["buyer"]


def test_a_request_closed_at_its_deadline_tells_the_quoting_sellers_and_the_buyer(world):
    for company in (world.buyer, world.seller_t, world.seller_h):
        _hook(company, RFQ_EVENTS)
    rfq = post_rfq(world)
    submit_quote(world, rfq)

    assert rfq_services.rfq_close_expired(now=timezone.now() + timedelta(days=8)) == 1
    assert rfq_services.rfq_close_expired(now=timezone.now() + timedelta(days=9)) == 0  # once

    system = {"company_id": None, "company_name": "", "user_id": None, "user_name": "", "role": "system"}
    [to_seller] = _received(world.seller_t, "rfq.closed")
    [to_buyer] = _received(world.buyer, "rfq.closed")
    assert (to_seller["reason"], to_seller["party"], to_seller["actor"]) == ("deadline", "seller", system)
    assert (to_buyer["reason"], to_buyer["party"]) == ("deadline", "buyer")
    assert _received(world.seller_h, "rfq.closed") == []  # it did not quote
    assert (Channel.IN_APP, world.buyer_owner.pk) in _people(world.buyer, "rfq.closed")


def test_a_request_the_buyer_withdraws_reaches_the_buyers_webhooks_not_its_people(world):
    _hook(world.buyer, RFQ_EVENTS)
    _hook(world.seller_t, RFQ_EVENTS)
    rfq = post_rfq(world)
    submit_quote(world, rfq)

    rfq_services.rfq_cancel(actor=world.buyer_owner, rfq_id=rfq.pk)

    [own] = _received(world.buyer, "rfq.closed")
    assert (own["reason"], own["actor"]) == ("cancelled", _actor(world.buyer, world.buyer_owner, "buyer"))
    assert _people(world.buyer, "rfq.closed") == set()
    [to_seller] = _received(world.seller_t, "rfq.closed")
    assert to_seller["reason"] == "cancelled"
    assert (Channel.IN_APP, world.seller_t_owner.pk) in _people(world.seller_t, "rfq.closed")


def test_a_moderators_order_move_names_the_moderator_and_no_company(world, moderator):
    _hook(world.buyer, ["order.status_changed"])
    _hook(world.seller_t, ["order.status_changed"])
    order = order_in(world, S.DISPUTED)

    flow.order_resolve(order_id=order.pk, actor=moderator, reason="Refund agreed.")

    moderator_actor = {"company_id": None, "company_name": "", "user_id": moderator.pk,
                       "user_name": moderator.full_name, "role": "moderator"}
    [to_buyer] = [d for d in _received(world.buyer, "order.status_changed") if d["to_status"] == "resolved"]
    [to_seller] = [d for d in _received(world.seller_t, "order.status_changed") if d["to_status"] == "resolved"]
    assert (to_buyer["party"], to_buyer["actor"]) == ("buyer", moderator_actor)
    assert (to_seller["party"], to_seller["actor"]) == ("seller", moderator_actor)


def test_own_moves_record_nothing_without_a_subscribed_endpoint(world):
    _hook(world.seller_t, ["order.placed"])  # not subscribed to rfq.quote_received

    assert notify_webhooks(event="rfq.quote_received", company=world.seller_t, context={}) is None
    rfq = post_rfq(world)
    submit_quote(world, rfq)

    assert Event.objects.filter(name="rfq.quote_received", company=world.seller_t).count() == 0
    assert Event.objects.filter(name="rfq.quote_received", company=world.buyer).count() == 1


def test_a_sellers_order_move_reaches_its_own_webhooks_with_the_actor(world):
    hook = _hook(world.seller_t, ["order.status_changed"])
    order = order_in(world, S.PLACED)

    flow.order_refuse(order_id=order.pk, actor=world.seller_t_owner, reason="Out of capacity.")

    [own] = _received(world.seller_t, "order.status_changed")
    assert (own["to_status"], own["party"], own["actor"]) == (
        "refused", "seller", _actor(world.seller_t, world.seller_t_owner, "seller"))
    assert hook.deliveries.count() == 1
    assert _people(world.seller_t, "order.status_changed") == set()
