"""Accepting quotes under contention on PostgreSQL: the request row lock decides, so exactly one
quote wins and the request becomes exactly one order; accepting one quote many times at once gives
that one order; the deadline task and an acceptance never both move a request.

Each thread has its own database connection; the threads start together behind a barrier."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from orders.models import Order, PurchaseGroup, Quote, QuoteStatus, Rfq, RfqStatus
from orders.services import rfq as services
from tests.factories.accounts import MembershipFactory
from tests.integration.threads import run_pool
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Each job on its own thread, all released at once."""
    return run_pool(jobs, workers=len(jobs))


def outcome(result) -> str:
    if isinstance(result, ApplicationError):
        return f"{result.status_code} {result.code}"
    order, replayed = result
    return "replayed" if replayed else "placed"


def test_two_members_accepting_two_quotes_at_once_one_wins():
    world = build_rfq_world()
    rfq = post_rfq(world)
    quote_t = submit_quote(world, rfq)
    quote_h = submit_quote(world, rfq, seller=world.seller_h)

    results = run_together([
        lambda: services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote_t.pk),
        lambda: services.quote_accept(actor=world.buyer_staff, rfq_id=rfq.pk, quote_id=quote_h.pk),
    ])

    assert Counter(outcome(r) for r in results) == {"placed": 1, "409 rfq_awarded": 1}
    order = Order.objects.get()
    rfq.refresh_from_db()
    winner = quote_t if order.seller_id == world.seller_t.pk else quote_h
    assert (rfq.status, rfq.order_id) == (RfqStatus.AWARDED, order.pk)
    assert dict(Quote.objects.values_list("pk", "status")) == {
        winner.pk: QuoteStatus.ACCEPTED, (quote_h if winner == quote_t else quote_t).pk: QuoteStatus.REJECTED}
    assert PurchaseGroup.objects.count() == 1


def test_one_quote_accepted_many_times_at_once_is_one_order():
    world = build_rfq_world()
    members = [world.buyer_owner, world.buyer_staff] + [MembershipFactory(company=world.buyer).user
                                                        for _ in range(6)]
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)

    results = run_together([
        (lambda member=member: services.quote_accept(actor=member, rfq_id=rfq.pk, quote_id=quote.pk))
        for member in members])

    assert Counter(outcome(r) for r in results) == {"placed": 1, "replayed": len(members) - 1}
    assert {r[0].pk for r in results} == {Order.objects.get().pk}
    assert PurchaseGroup.objects.get().idempotency_key == f"rfq-quote-{quote.pk}"


def test_the_deadline_task_and_an_acceptance_never_both_move_a_request():
    world = build_rfq_world()
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    # The deadline is a moment away: the task and the acceptance race for the row.
    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() + timedelta(milliseconds=300))
    later = timezone.now() + timedelta(seconds=1)

    def accept():
        return services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)

    results = run_together([accept, lambda: services.rfq_close_expired(now=later),
                            lambda: services.rfq_close_expired(now=later)])

    rfq.refresh_from_db()
    closed = results[1] + results[2]
    if rfq.status == RfqStatus.AWARDED:
        assert (outcome(results[0]), closed, Order.objects.count()) == ("placed", 0, 1)
    else:
        assert rfq.status == RfqStatus.CLOSED
        assert closed == 1
        assert Order.objects.count() == 0
        assert outcome(results[0]) in ("409 rfq_not_open", "409 rfq_deadline_passed")
