"""The order services tell trust of each event and quote through orders/hooks.py; trust queues its
update after the commit only, and the update is safe to run twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import Conflict
from orders import services
from orders.services import rfq as rfq_services
from orders.models import OrderEvent, OrderStatus
from tests.orders.helpers import place_order
from tests.orders.rfq_helpers import post_rfq, submit_quote
from trust import tasks
from trust.models import OrderRecord, SellerPerformance

pytestmark = pytest.mark.django_db


def trust_calls(callbacks) -> list[dict]:
    """The keyword arguments of each trust update queued by the captured on-commit callbacks."""
    return [cb.keywords for cb in callbacks
            if getattr(cb, "args", None) and cb.args[0] is tasks.seller_performance_update]


def test_placing_and_each_move_queue_the_update_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = place_order(world)
    assert trust_calls(callbacks) == [{"order_id": order.pk}]
    placed = OrderEvent.objects.get(order=order, to_status=OrderStatus.PLACED)
    assert placed.payload["lead_time_days"] == world.towel.lead_time_days == 14
    record = OrderRecord.objects.get(pk=order.pk)
    assert (record.seller_id, record.answer, record.lead_time_days, record.last_event_id) == (
        world.seller_t.pk, "", 14, placed.pk)
    assert SellerPerformance.objects.get(pk=world.seller_t.pk).figures["all"]["orders"] == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    assert trust_calls(callbacks) == [{"order_id": order.pk}]
    record.refresh_from_db()
    accepted = OrderEvent.objects.get(order=order, to_status=OrderStatus.ACCEPTED)
    assert (record.answer, record.last_event_id, record.ship_by) == (
        "accepted", accepted.pk, accepted.created_at + timedelta(days=14))
    figures = SellerPerformance.objects.get(pk=world.seller_t.pk).figures["all"]
    assert (figures["orders"], figures["answered"], figures["accepted"]) == (1, 1, 1)


def test_a_move_that_fails_queues_nothing(world, django_capture_on_commit_callbacks):
    order = place_order(world)
    before = list(OrderEvent.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Conflict):
        services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="DHL", tracking_number="1")
    assert trust_calls(callbacks) == []
    assert list(OrderEvent.objects.values_list("pk", flat=True)) == before
    assert not OrderRecord.objects.exists() and not SellerPerformance.objects.exists()


def test_the_update_is_safe_to_run_twice(world):
    order = place_order(world)
    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    tasks.seller_performance_update(order_id=order.pk)
    first = OrderRecord.objects.values().get(pk=order.pk)
    figures = SellerPerformance.objects.get(pk=world.seller_t.pk).figures
    tasks.seller_performance_update(order_id=order.pk)
    tasks.seller_performance_update(order_id=order.pk)
    assert OrderRecord.objects.values().get(pk=order.pk) == first
    assert SellerPerformance.objects.get(pk=world.seller_t.pk).figures == figures
    assert OrderRecord.objects.count() == 1 and SellerPerformance.objects.count() == 1


def test_an_order_that_is_gone_updates_nothing(db):
    tasks.seller_performance_update(order_id=987654)
    assert not OrderRecord.objects.exists() and not SellerPerformance.objects.exists()


def test_quotes_queue_the_sellers_update_and_an_order_from_a_quote_keeps_its_lead_time(
        world, django_capture_on_commit_callbacks):
    rfq = post_rfq(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        quote = submit_quote(world, rfq, lead_time_days=21)
    assert trust_calls(callbacks) == [{"seller_id": world.seller_t.pk}]
    figures = SellerPerformance.objects.get(pk=world.seller_t.pk).figures["all"]
    assert (figures["rfqs_quoted"], figures["median_hours_to_quote"]) == (1, None)

    order, _again = rfq_services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)
    assert OrderEvent.objects.get(order=order, to_status=OrderStatus.PLACED).payload["lead_time_days"] == 21


def test_the_nightly_task_rebuilds_records_from_the_log(world):
    order = place_order(world)
    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    OrderRecord.objects.all().delete()
    assert tasks.seller_performance_recompute_all() == {"orders": 1, "sellers": 1}
    record = OrderRecord.objects.get(pk=order.pk)
    assert (record.answer, record.lead_time_days) == ("accepted", 14)
    assert SellerPerformance.objects.get(pk=world.seller_t.pk).computed_at <= timezone.now()


def test_beat_recomputes_every_night():
    from celery.schedules import crontab
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["trust-seller-performance-recompute"]
    assert entry["task"] == tasks.seller_performance_recompute_all.name
    assert entry["task"] == "trust.tasks.seller_performance_recompute_all"
    assert entry["schedule"] == crontab(hour=2, minute=30)


def test_the_nightly_task_corrects_a_record_that_went_wrong_and_leaves_right_ones_alone(world):
    first, second = place_order(world), place_order(world)
    services.order_accept(order_id=first.pk, actor=world.seller_t_owner)
    for order in (first, second):
        tasks.seller_performance_update(order_id=order.pk)
    right = OrderRecord.objects.values().get(pk=second.pk)
    OrderRecord.objects.filter(pk=first.pk).update(answer="refused", hours_to_accept=None, ship_by=None)

    assert tasks.seller_performance_recompute_all() == {"orders": 2, "sellers": 1}
    record = OrderRecord.objects.get(pk=first.pk)
    accepted = OrderEvent.objects.get(order=first, to_status=OrderStatus.ACCEPTED)
    assert (record.answer, record.ship_by) == ("accepted", accepted.created_at + timedelta(days=14))
    assert record.hours_to_accept is not None
    assert OrderRecord.objects.values().get(pk=second.pk) == right
    figures = SellerPerformance.objects.get(pk=world.seller_t.pk).figures["all"]
    assert (figures["orders"], figures["answered"], figures["accepted"], figures["refused"]) == (2, 1, 1, 0)
