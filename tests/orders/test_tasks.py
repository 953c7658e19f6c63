"""The order tasks, called as functions (no eager Celery), and their beat entry. The parties of an
order are told of its moves through the notifications outbox: tests/orders/test_notifications.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from orders import tasks
from orders.models import OrderEvent, OrderStatus
from tests.orders.helpers import order_in

pytestmark = pytest.mark.django_db
S = OrderStatus


def test_the_timed_moves_task_runs_the_scan(world):
    order = order_in(world, S.PLACED)

    with time_machine.travel(order.placed_at + timedelta(hours=73), tick=False):
        counts = tasks.order_timed_moves_run()

    assert counts["accept_timeout"] == 1
    assert OrderEvent.objects.filter(order=order, role="system").count() == 1


def test_beat_runs_the_timed_moves_every_five_minutes():
    assert settings.CELERY_BEAT_SCHEDULE["orders-timed-moves"] == {
        "task": "orders.tasks.order_timed_moves_run", "schedule": 300, "options": {"expires": 240}}


def test_the_tasks_have_time_limits():
    assert (tasks.order_timed_moves_run.soft_time_limit, tasks.order_timed_moves_run.time_limit) == (60, 90)
