"""The delivery task: claim, send, mark sent. Run twice, it sends once; failures are retried by the
relay with backoff and end in the dead-letter list."""
from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from accounts import services
from notifications import relay
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services import notify
from notifications.tasks import delivery_send
from notifications.webhooks import signature_verify
from tests.factories.accounts import ModeratorFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"company_id": 1, "company_name": "Alpha Textiles", "decision_id": 0, "from_status": "pending",
           "to_status": "verified", "reason": ""}


def _listing_decided(company, **extra):
    context = {"listing_id": 7, "listing_title": "Cotton towel", "decision_id": 1, "from_status": "pending_review",
               "to_status": "published", "reason": "", "changes_reviewed": False, "applied_changes": False, **extra}
    return notify(event="listing.decided", company=company, context=context)


def _one(channel: str, **filters) -> Delivery:
    return Delivery.objects.get(channel=channel, **filters)


# --- e-mail ---------------------------------------------------------------------------------------

def test_email_task_run_twice_sends_one_email(company_a, member_a):
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)

    assert delivery_send(delivery.pk) == "sent"
    assert delivery_send(delivery.pk) == "already_sent"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member_a.email]
    assert message.subject == "Your listing Cotton towel was reviewed"
    assert "A moderator moved Cotton towel to: Published." in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert message.extra_headers["Message-ID"] == (
        f"<notification.{delivery.event_id}.email.user=3A{member_a.pk}@sme-market.local>")
    assert message.message()["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim_token, delivery.last_error) == (
        DeliveryStatus.SENT, 1, None, "")
    assert delivery.sent_at is not None


def test_email_is_written_in_the_recipients_language(company_a, tr_member_a):
    company_a.verification_status = "pending"
    company_a.save()

    services.company_verify(company=company_a, actor=ModeratorFactory())
    delivery = _one(Channel.EMAIL, recipient=tr_member_a)

    assert delivery_send(delivery.pk) == "sent"

    [message] = mail.outbox
    assert message.subject == "Alpha Textiles: doğrulama durumu Doğrulanmış"
    assert "Alpha Textiles şirketinin doğrulama durumu artık: Doğrulanmış." in message.body


def test_a_fresh_claim_of_another_worker_is_left_alone(company_a, member_a):
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)
    token = uuid.uuid4()
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claim_token=token,
                                                   claimed_at=timezone.now(), attempts=1)

    assert delivery_send(delivery.pk) == "claimed"

    assert mail.outbox == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claim_token, delivery.attempts) == (DeliveryStatus.SENDING, token, 1)


def test_a_stale_claim_is_sent_again_with_the_same_message_id(company_a, member_a, settings):
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)
    stale = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_STALE_SECONDS + 1)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED, claim_token=uuid.uuid4(),
                                                   claimed_at=stale, attempts=1)

    assert delivery_send(delivery.pk) == "sent"

    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_a_retry_that_is_not_due_is_not_sent(company_a, member_a):
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING,
                                                   next_attempt_at=timezone.now() + timedelta(minutes=1))

    assert delivery_send(delivery.pk) == "not_due"
    assert mail.outbox == []


def test_a_mail_server_failure_is_retried_later(company_a, member_a, time_machine):
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=ConnectionRefusedError("no smtp")):
        assert delivery_send(delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == (DeliveryStatus.PENDING, 1, None)
    assert delivery.last_error == "ConnectionRefusedError: no smtp"
    assert timezone.now() + timedelta(seconds=30) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    assert mail.outbox == []


def test_a_failed_recording_is_retried_without_sending_again(company_a, member_a):
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)

    with mock.patch.object(relay, "_mark_sent", side_effect=OperationalError("connection lost")), \
            pytest.raises(relay.MarkSentFailed) as excinfo:
        relay.delivery_send(delivery_id=delivery.pk)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING

    # The task retries with the claim of the message that went out: it is recorded, not resent.
    assert delivery_send(delivery.pk, sent_claim=str(excinfo.value.claim.token)) == "sent"
    assert delivery_send(delivery.pk) == "already_sent"

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_the_task_asks_celery_to_retry_only_the_recording(company_a, member_a):
    _listing_decided(company_a)
    delivery = _one(Channel.EMAIL)

    with mock.patch.object(relay, "_mark_sent", side_effect=OperationalError("connection lost")), \
            mock.patch.object(delivery_send, "retry", side_effect=RuntimeError("retry")) as retry, \
            pytest.raises(RuntimeError):
        delivery_send(delivery.pk)

    kwargs = retry.call_args.kwargs
    assert kwargs["kwargs"]["delivery_id"] == delivery.pk
    assert uuid.UUID(kwargs["kwargs"]["sent_claim"]) == Delivery.objects.get(pk=delivery.pk).claim_token


def test_missing_delivery():
    assert delivery_send(424242) == "missing"


# --- webhooks -------------------------------------------------------------------------------------

def test_webhook_task_run_twice_posts_once_signed(company_a, member_a, endpoint, receiver):
    event = _listing_decided(company_a)
    delivery = _one(Channel.WEBHOOK)

    assert delivery_send(delivery.pk) == "sent"
    assert delivery_send(delivery.pk) == "already_sent"

    [request] = receiver.requests
    assert request.path == "/hooks/sme"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-SME-Event"] == "listing.decided"
    assert request.headers["X-SME-Event-Id"] == str(event.uid)
    assert signature_verify(secret=endpoint.secret, header=request.headers["X-SME-Signature"], body=request.body)
    assert not signature_verify(secret="whsec_other", header=request.headers["X-SME-Signature"], body=request.body)
    assert request.json == {"id": str(event.uid), "type": "listing.decided", "company_id": company_a.pk,
                            "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
                            "data": event.context}


def test_webhook_failures_back_off_with_jitter_then_end_as_dead_letters(company_a, member_a, endpoint, receiver,
                                                                       settings, time_machine):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.WEBHOOK_RETRY_MAX_SECONDS = 150
    receiver.respond = lambda _n: 500
    time_machine.move_to("2026-05-01 10:00:00+00:00", tick=False)
    _listing_decided(company_a)
    delivery = _one(Channel.WEBHOOK)

    ceilings = [60, 120, 150]
    for attempt, ceiling in enumerate(ceilings, start=1):
        assert delivery_send(delivery.pk) == "retry"
        delivery.refresh_from_db()
        now = timezone.now()
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            DeliveryStatus.PENDING, attempt, "the endpoint answered HTTP 500")
        assert now + timedelta(seconds=ceiling / 2) <= delivery.next_attempt_at <= now + timedelta(seconds=ceiling)
        assert delivery_send(delivery.pk) == "not_due"  # a second message for the same row waits too
        time_machine.move_to(delivery.next_attempt_at, tick=False)

    assert delivery_send(delivery.pk) == "dead"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.failed_at) == (DeliveryStatus.DEAD, 4, timezone.now())
    assert len(receiver.requests) == 4
    assert delivery_send(delivery.pk) == "already_dead"
    assert len(receiver.requests) == 4


def test_webhook_to_a_private_address_fails_for_good(company_a, member_a, endpoint, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    _listing_decided(company_a)
    delivery = _one(Channel.WEBHOOK)

    assert delivery_send(delivery.pk) == "dead"

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.DEAD, 1, "The URL must start with https://.")


def test_https_endpoint_resolving_to_a_private_address_is_refused(company_a, member_a, endpoint):
    endpoint.url = "https://hooks.internal.example/sme"
    endpoint.save()
    _listing_decided(company_a)
    delivery = _one(Channel.WEBHOOK)

    with mock.patch("notifications.webhooks._getaddrinfo", return_value=[(2, 1, 6, "", ("10.0.0.5", 443))]), \
            mock.patch("socket.create_connection") as connect:
        assert delivery_send(delivery.pk) == "dead"

    connect.assert_not_called()
    delivery.refresh_from_db()
    assert delivery.last_error == ("hooks.internal.example resolves to 10.0.0.5, which is not a public address "
                                   "(private); webhooks are sent to public addresses only.")


def test_webhook_to_a_switched_off_endpoint_is_cancelled(company_a, member_a, endpoint, receiver):
    _listing_decided(company_a)
    delivery = _one(Channel.WEBHOOK)
    endpoint.is_active = False
    endpoint.save()

    assert delivery_send(delivery.pk) == "cancelled"
    assert receiver.requests == []


def test_unreachable_receiver_is_retried(company_a, member_a, endpoint, receiver):
    receiver.stop()
    _listing_decided(company_a)
    delivery = _one(Channel.WEBHOOK)

    assert delivery_send(delivery.pk) == "retry"

    delivery.refresh_from_db()
    assert delivery.last_error.startswith("ConnectionRefusedError")
