"""notify() writes e-mail and webhook rows queued and publishes them itself once the transaction
commits, with no relay run in between; what the broker refuses goes back to the relay."""
from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import relay, tasks
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services import notify

CONTEXT = {"company_id": 1, "company_name": "Alpha Textiles", "decision_id": 0, "from_status": "pending",
           "to_status": "verified", "reason": ""}


LISTING_DECIDED = {"listing_id": 7, "listing_title": "Cotton towel", "decision_id": 1,
                   "from_status": "pending_review", "to_status": "published", "reason": "",
                   "changes_reviewed": False, "applied_changes": False}


def _outgoing() -> list[Delivery]:
    return list(Delivery.objects.exclude(channel=Channel.IN_APP).order_by("pk"))


@pytest.mark.django_db
def test_the_rows_are_published_once_the_transaction_commits(company_a, member_a, staff_a, endpoint, time_machine,
                                                             settings, django_capture_on_commit_callbacks):
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    with mock.patch.object(tasks.delivery_send, "delay") as publish, \
            mock.patch.object(tasks.deliveries_relay, "delay") as relay_run:
        with django_capture_on_commit_callbacks(execute=True):
            notify(event="company.verification_decided", company=company_a, context=CONTEXT)
            assert publish.call_count == 0  # nothing leaves before the commit

    rows = _outgoing()
    assert [c.args for c in publish.call_args_list] == [(row.pk,) for row in rows]
    assert relay_run.call_count == 0
    now = timezone.now()
    requeue_at = now + timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)
    assert [(row.channel, row.status, row.queued_at, row.next_attempt_at) for row in rows] == [
        (Channel.EMAIL, DeliveryStatus.QUEUED, now, requeue_at),
        (Channel.EMAIL, DeliveryStatus.QUEUED, now, requeue_at),
        (Channel.WEBHOOK, DeliveryStatus.QUEUED, now, requeue_at)]
    # Their messages are on the way: the relay leaves them alone until the requeue delay has passed.
    assert relay.deliveries_relay(publish=lambda delivery_id: pytest.fail("published twice")) == 0


@pytest.mark.django_db
def test_a_rolled_back_transaction_publishes_nothing(company_a, member_a, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.delivery_send, "delay") as publish:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notify(event="company.verification_decided", company=company_a, context=CONTEXT)
            transaction.set_rollback(True)

    assert publish.call_count == 0
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_what_the_broker_refuses_goes_back_to_the_relay(company_a, member_a, staff_a, endpoint, time_machine,
                                                        settings, django_capture_on_commit_callbacks):
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    with mock.patch("notifications.relay.queue_publish", side_effect=[True, False]) as publish:
        with django_capture_on_commit_callbacks(execute=True):
            notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    first, *rest = _outgoing()
    assert publish.call_count == 2  # after the first refusal the others are not even tried
    now = timezone.now()
    assert [(row.pk, row.status, row.next_attempt_at) for row in _outgoing()] == [
        (first.pk, DeliveryStatus.QUEUED, now + timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)),
        *[(row.pk, DeliveryStatus.PENDING, now) for row in rest]]
    published: list[int] = []
    assert relay.deliveries_relay(publish=published.append) == 2
    assert published == [row.pk for row in rest]


@pytest.mark.django_db
def test_a_publish_that_raises_is_logged_and_changes_nothing_for_the_caller(company_a, member_a, caplog,
                                                                            django_capture_on_commit_callbacks):
    with mock.patch("notifications.relay.queue_publish", side_effect=RuntimeError("broker exploded")):
        with django_capture_on_commit_callbacks(execute=True):
            notify(event="company.verification_decided", company=company_a, context=CONTEXT)

    assert "broker exploded" in caplog.text
    assert [row.status for row in _outgoing()] == [DeliveryStatus.PENDING]


@pytest.mark.django_db(transaction=True)
def test_claims_and_records_of_sends_do_not_wait_for_the_disk_but_callers_transactions_do():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with relay._quick_commit():
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"
    with transaction.atomic():
        with relay._quick_commit():
            assert synchronous_commit() == "on"  # the caller's commit keeps its guarantee


@pytest.mark.django_db(transaction=True)
def test_an_email_send_costs_three_statements_on_postgresql_each_commit_without_waiting_for_the_disk(
        company_a, member_a, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with mock.patch.object(tasks.delivery_send, "delay"):
        with transaction.atomic():
            notify(event="listing.decided", company=company_a, context=LISTING_DECIDED)
    row = Delivery.objects.get(channel=Channel.EMAIL)

    with CaptureQueriesContext(connection) as queries:
        assert relay.delivery_send(delivery_id=row.pk) == DeliveryStatus.SENT

    statements = [query["sql"] for query in queries.captured_queries]
    # The claim, the read of what the send needs, the record of the send: no BEGIN, SET or COMMIT.
    assert [sql.split()[0] for sql in statements] == ["UPDATE", "SELECT", "UPDATE"]
    assert all("set_config('synchronous_commit', 'off', true)" in sql for sql in (statements[0], statements[2]))
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.status, row.claim_token, row.attempts) == (DeliveryStatus.SENT, None, 1)
    # Sent once: a second run claims nothing and sends nothing.
    assert relay.delivery_send(delivery_id=row.pk) == "already_sent"
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_quick_update_inside_a_callers_transaction_keeps_the_callers_commit(company_a, member_a):
    with mock.patch.object(tasks.delivery_send, "delay"):
        with transaction.atomic():
            notify(event="listing.decided", company=company_a, context=LISTING_DECIDED)
    row = Delivery.objects.get(channel=Channel.EMAIL)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            assert relay._quick_update(Delivery.objects.filter(pk=row.pk), last_error="x") == 1
            assert relay._quick_update(Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENT),
                                       last_error="y") == 0
        assert not any("set_config" in query["sql"] for query in queries.captured_queries)
    row.refresh_from_db()
    assert row.last_error == "x"
