"""The relay: due rows are published once; rows whose message or worker was lost come back.

The rows here are written while publishing pauses (the broker failed a moment ago), so notify()
leaves them pending for the relay instead of publishing them after the commit (test_publish.py)."""
from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from notifications import tasks
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.relay import deliveries_relay
from notifications.services import notify, relay_nudge

pytestmark = pytest.mark.django_db

CONTEXT = {"company_id": 1, "company_name": "Alpha Textiles", "decision_id": 0, "from_status": "pending",
           "to_status": "verified", "reason": ""}


class Broker:
    def __init__(self, fail_from: int | None = None) -> None:
        self.published: list[int] = []
        self.fail_from = fail_from

    def __call__(self, delivery_id: int) -> None:
        if self.fail_from is not None and len(self.published) >= self.fail_from:
            raise ConnectionError("broker down")
        self.published.append(delivery_id)


def _emails() -> list[Delivery]:
    return list(Delivery.objects.filter(channel=Channel.EMAIL).order_by("pk"))


@pytest.fixture(autouse=True)
def broker_away(monkeypatch):
    monkeypatch.setattr("notifications.services.publishing_paused", lambda: True)


@pytest.fixture
def two_emails(company_a, member_a, staff_a):
    notify(event="company.verification_decided", company=company_a, context=CONTEXT)
    return _emails()


def test_pending_rows_are_published_once(two_emails, time_machine, settings):
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    Delivery.objects.update(next_attempt_at=timezone.now())
    broker = Broker()

    assert deliveries_relay(publish=broker) == 2
    assert deliveries_relay(publish=broker) == 0

    assert broker.published == [d.pk for d in two_emails]
    now = timezone.now()
    assert [(d.status, d.queued_at, d.next_attempt_at) for d in _emails()] == [
        (DeliveryStatus.QUEUED, now, now + timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS))] * 2
    # The in-app rows were delivered by the commit and never reach the relay.
    assert set(Delivery.objects.filter(channel=Channel.IN_APP).values_list("status", flat=True)) == {"sent"}


def test_a_queued_row_whose_message_was_lost_is_published_again(two_emails, time_machine, settings):
    time_machine.move_to(timezone.now(), tick=False)
    broker = Broker()
    deliveries_relay(publish=broker)

    time_machine.shift(timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS - 1))
    assert deliveries_relay(publish=broker) == 0
    time_machine.shift(timedelta(seconds=2))
    assert deliveries_relay(publish=broker) == 2

    assert broker.published == [d.pk for d in two_emails] * 2


def test_a_stale_claim_is_taken_up_again_but_a_fresh_one_is_left(two_emails, time_machine, settings):
    first, second = two_emails
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_STALE_SECONDS + 1)
    Delivery.objects.filter(pk=first.pk).update(
        status=DeliveryStatus.SENDING, claim_token=uuid.uuid4(), claimed_at=stale,
        next_attempt_at=stale + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_STALE_SECONDS))
    Delivery.objects.filter(pk=second.pk).update(
        status=DeliveryStatus.SENDING, claim_token=uuid.uuid4(), claimed_at=now,
        next_attempt_at=now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_STALE_SECONDS))
    broker = Broker()

    assert deliveries_relay(publish=broker) == 1

    assert broker.published == [first.pk]


def test_a_retry_that_is_not_due_waits(two_emails):
    first, second = two_emails
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=30))
    broker = Broker()

    assert deliveries_relay(publish=broker) == 1

    assert broker.published == [second.pk]
    assert Delivery.objects.get(pk=first.pk).status == DeliveryStatus.PENDING


def test_sent_dead_and_cancelled_rows_are_never_published(two_emails):
    first, second = two_emails
    Delivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.DEAD)
    Delivery.objects.filter(pk=second.pk).update(status=DeliveryStatus.CANCELLED)

    assert deliveries_relay(publish=Broker()) == 0


def test_when_the_broker_fails_the_rest_go_back_to_pending(company_a, member_a, staff_a, time_machine, settings):
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    for _ in range(2):
        notify(event="company.verification_decided", company=company_a, context=CONTEXT)
    emails = _emails()
    broker = Broker(fail_from=1)

    assert deliveries_relay(publish=broker) == 1

    assert broker.published == [emails[0].pk]
    now = timezone.now()
    assert [(d.pk, d.status, d.next_attempt_at) for d in _emails()] == [
        (emails[0].pk, DeliveryStatus.QUEUED, now + timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)),
        *[(d.pk, DeliveryStatus.PENDING, now) for d in emails[1:]]]

    broker.fail_from = None
    assert deliveries_relay(publish=broker) == 3
    assert broker.published == [d.pk for d in emails]


def test_batches_are_bounded(company_a, member_a, staff_a):
    notify(event="company.verification_decided", company=company_a, context=CONTEXT)
    broker = Broker()

    assert deliveries_relay(publish=broker, batch_size=1) == 1
    assert deliveries_relay(publish=broker, batch_size=1) == 1
    assert deliveries_relay(publish=broker, batch_size=1) == 0
    assert broker.published == [d.pk for d in _emails()]


def test_commits_share_a_waiting_relay_run(django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.deliveries_relay, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            relay_nudge()
        with django_capture_on_commit_callbacks(execute=True):
            relay_nudge()
        assert delay.call_count == 1  # the second commit's rows are seen by the run still waiting

        deliveries_relay(publish=Broker())  # the run starts: later commits queue their own
        with django_capture_on_commit_callbacks(execute=True):
            relay_nudge()
        assert delay.call_count == 2


def test_a_failed_nudge_does_not_hold_back_the_next_one(django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.deliveries_relay, "delay", side_effect=[ConnectionError("down"), None]) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            relay_nudge()
        with django_capture_on_commit_callbacks(execute=True):
            relay_nudge()

    assert delay.call_count == 2


def test_notify_leaves_the_rows_to_the_relay_while_publishing_pauses(company_a, member_a, staff_a,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    assert callbacks == []
    assert [(d.status, d.queued_at) for d in _emails()] == [(DeliveryStatus.PENDING, None)] * 2
    broker = Broker()
    assert deliveries_relay(publish=broker) == 2
    assert broker.published == [d.pk for d in _emails()]
