"""The relay's requeue delay is short (recovery within a couple of minutes), and that is safe: a row
published again while its first message is only late is still sent once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.settings import base
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.relay import deliveries_relay, delivery_send
from notifications.services import notify

pytestmark = pytest.mark.django_db

CONTEXT = {"listing_id": 7, "listing_title": "Cotton towel", "decision_id": 1, "from_status": "pending_review",
           "to_status": "published", "reason": "", "changes_reviewed": False, "applied_changes": False}


def test_the_default_requeue_delay_is_ninety_seconds_and_shorter_than_a_stale_claim():
    assert base.NOTIFICATIONS_REQUEUE_AFTER_SECONDS == 90
    assert base.NOTIFICATIONS_CLAIM_STALE_SECONDS > base.NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS


def test_a_row_published_again_while_its_first_message_is_late_is_sent_once(company_a, member_a, time_machine,
                                                                               settings):
    time_machine.move_to(timezone.now(), tick=False)
    notify(event="listing.decided", company=company_a, context=CONTEXT)
    (delivery,) = Delivery.objects.filter(channel=Channel.EMAIL)
    assert (delivery.status, delivery.queued_at) == (DeliveryStatus.QUEUED, timezone.now())
    published: list[int] = [delivery.pk]  # the message published once notify()'s transaction committed
    assert deliveries_relay(publish=published.append) == 0

    # That message waits in a long queue; the relay publishes the row again after the delay.
    time_machine.shift(timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS - 1))
    assert deliveries_relay(publish=published.append) == 0
    time_machine.shift(timedelta(seconds=2))
    assert deliveries_relay(publish=published.append) == 1
    assert published == [delivery.pk, delivery.pk]

    outcomes = [delivery_send(delivery_id=delivery_id) for delivery_id in published]

    assert outcomes == [DeliveryStatus.SENT, f"already_{DeliveryStatus.SENT}"]
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_send_in_progress_is_not_published_again_before_its_claim_is_stale(company_a, member_a, time_machine,
                                                                              settings):
    time_machine.move_to(timezone.now(), tick=False)
    notify(event="listing.decided", company=company_a, context=CONTEXT)
    (delivery,) = Delivery.objects.filter(channel=Channel.EMAIL)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now,
        next_attempt_at=now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_STALE_SECONDS))

    time_machine.shift(timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS + 1))
    published: list[int] = []

    assert deliveries_relay(publish=published.append) == 0
    assert published == []
    assert delivery_send(delivery_id=delivery.pk) == "claimed"
    assert len(mail.outbox) == 0
