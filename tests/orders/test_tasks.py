"""The order tasks, called as functions (no eager Celery), and their beat entry."""
from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from orders import tasks
from orders.models import OrderEvent, OrderStatus
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import order_in

pytestmark = pytest.mark.django_db
S = OrderStatus


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_placed_order_is_mailed_to_the_sellers_members_once(world):
    order = order_in(world, S.PLACED)
    second = MembershipFactory(company=world.seller_t, role="staff").user
    event = order.events.get()

    assert tasks.order_event_notify(event.pk) is True
    assert tasks.order_event_notify(event.pk) is False

    assert recipients() == sorted([world.seller_t_owner.email, second.email])
    assert mail.outbox[0].subject == f"New order {order.pk} from Gamma Handel GmbH"
    assert f"Gamma Handel GmbH placed order {order.pk}." in mail.outbox[0].body
    assert "Buyer pays: 3065.44 TRY" in mail.outbox[0].body
    event.refresh_from_db()
    assert event.sent_at is not None


def test_a_sellers_move_is_mailed_to_the_buyers_members(world):
    order = order_in(world, S.REFUSED)
    event = order.events.get(to_status=S.REFUSED)

    tasks.order_event_notify(event.pk)

    assert recipients() == sorted([world.buyer_owner.email, world.buyer_staff.email])
    assert mail.outbox[0].subject == f"Order {order.pk}: Refused"
    assert "Reason: Out of capacity." in mail.outbox[0].body


def test_a_moderators_decision_is_mailed_to_both_companies(world):
    order = order_in(world, S.RESOLVED)
    event = order.events.get(to_status=S.RESOLVED)

    tasks.order_event_notify(event.pk)

    assert recipients() == sorted([world.buyer_owner.email, world.buyer_staff.email, world.seller_t_owner.email])
    assert "Refund: 100.00 TRY" in mail.outbox[0].body


def test_inactive_members_get_nothing(world):
    order = order_in(world, S.PLACED)
    world.seller_t_owner.is_active = False
    world.seller_t_owner.save()

    assert tasks.order_event_notify(order.events.get().pk) is True
    assert mail.outbox == []


def test_an_unknown_event(world):
    assert tasks.order_event_notify(999_999) is False


def test_a_failed_send_leaves_the_event_unsent_for_the_retry(world):
    order = order_in(world, S.PLACED)
    event = order.events.get()

    with mock.patch("orders.tasks.email_send", side_effect=ConnectionError("smtp down")), \
            pytest.raises(ConnectionError):
        tasks.order_event_notify.run(event.pk)

    event.refresh_from_db()
    assert event.sent_at is None
    assert tasks.order_event_notify(event.pk) is True
    assert len(mail.outbox) == 1


def test_the_mail_is_in_the_recipients_language(world):
    order = order_in(world, S.ACCEPTED)
    world.buyer_owner.preferred_language = "tr"
    world.buyer_owner.save()
    event = order.events.get(to_status=S.ACCEPTED)

    tasks.order_event_notify(event.pk)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[world.buyer_staff.email].subject == f"Order {order.pk}: Accepted"
    assert set(by_address) == {world.buyer_owner.email, world.buyer_staff.email}


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
    for task in (tasks.order_event_notify, tasks.order_timed_moves_run):
        assert (task.soft_time_limit, task.time_limit) == (60, 90)
