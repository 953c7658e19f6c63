"""Webhooks through a real worker and beat: a receiver that fails for a while gets every event
once it recovers, signed; one that never recovers ends in the company's dead-letter list, from
which the owner replays it."""
from __future__ import annotations

from collections import Counter

from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import MembershipRole, VerificationStatus
from notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from notifications.services import notify
from notifications.webhooks import secret_generate, signature_verify
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.integration.conftest import wait_until
from tests.integration.notifications_support import OUTBOX_ENV, shared_broker_stack  # noqa: F401 - fixture
from tests.notifications.helpers import Receiver

EVENTS = 5
MAX_ATTEMPTS = int(OUTBOX_ENV["WEBHOOK_MAX_ATTEMPTS"])


def _company_with_endpoint(name: str, receiver: Receiver):
    company = CompanyFactory(legal_name=name, verification_status=VerificationStatus.VERIFIED)
    owner = MembershipFactory(company=company, role=MembershipRole.OWNER).user
    endpoint = WebhookEndpoint.objects.create(company=company, url=receiver.url, secret=secret_generate(),
                                              events=["listing.decided"])
    return company, owner, endpoint


def _decide(company, n: int) -> None:
    notify(event="listing.decided", company=company, context={
        "listing_id": n, "listing_title": f"Listing {n}", "decision_id": n, "from_status": "pending_review",
        "to_status": "published", "reason": "", "changes_reviewed": False, "applied_changes": False})


def test_receiver_that_recovers_gets_every_event_once_and_signed(shared_broker_stack):
    stack = shared_broker_stack
    healthy = {"now": False}
    receiver = Receiver(respond=lambda _n: 200 if healthy["now"] else 500).start()
    try:
        company, _owner, endpoint = _company_with_endpoint("Recovering Receiver Ltd", receiver)
        with transaction.atomic():
            for n in range(EVENTS):
                _decide(company, n)
        hooks = Delivery.objects.filter(channel=Channel.WEBHOOK, endpoint=endpoint)

        def refused_twice() -> bool:  # counted at the receiver: a claim counts its attempt before the request
            refused = Counter(r.headers["X-SME-Event-Id"] for r in receiver.requests if r.status == 500)
            return len(refused) == EVENTS and min(refused.values()) >= 2

        wait_until(refused_twice, timeout=30, message="the failing receiver was not retried")
        assert not hooks.filter(status=DeliveryStatus.SENT).exists()
        healthy["now"] = True

        wait_until(lambda: hooks.filter(status=DeliveryStatus.SENT).count() == EVENTS, timeout=60,
                   message="the events did not all arrive after the receiver recovered")
        stack.wait_for_relay_runs(3)

        accepted = receiver.accepted()
        event_ids = [r.headers["X-SME-Event-Id"] for r in accepted]
        assert sorted(event_ids) == sorted(str(uid) for uid in hooks.values_list("event__uid", flat=True))
        assert len(set(event_ids)) == EVENTS  # each event accepted once
        assert all(signature_verify(secret=endpoint.secret, header=r.headers["X-SME-Signature"], body=r.body)
                   for r in receiver.requests)
        assert sorted(r.json["data"]["listing_id"] for r in accepted) == list(range(EVENTS))
        failed = [r for r in receiver.requests if r.status == 500]
        assert len(failed) >= 2 * EVENTS
        assert all(2 <= attempts < MAX_ATTEMPTS for attempts in hooks.values_list("attempts", flat=True))
    finally:
        receiver.stop()


def test_receiver_that_never_recovers_ends_in_dead_letters_and_can_be_replayed(shared_broker_stack):
    stack = shared_broker_stack
    healthy = {"now": False}
    receiver = Receiver(respond=lambda _n: 200 if healthy["now"] else 500).start()
    try:
        company, owner, endpoint = _company_with_endpoint("Broken Receiver Ltd", receiver)
        _decide(company, 1)
        delivery = Delivery.objects.get(channel=Channel.WEBHOOK, endpoint=endpoint)

        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DEAD, timeout=60,
                   message=f"the delivery did not end as a dead letter after {MAX_ATTEMPTS} attempts")
        stack.wait_for_relay_runs(3)
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_error) == (MAX_ATTEMPTS, "the endpoint answered HTTP 500")
        assert len(receiver.requests) == MAX_ATTEMPTS

        client = APIClient()
        client.force_authenticate(user=owner)
        dead = client.get("/api/v1/webhooks/dead-letters/").json()
        assert [(r["id"], r["attempts"], r["event"]) for r in dead["results"]] == [
            (delivery.pk, MAX_ATTEMPTS, "listing.decided")]

        healthy["now"] = True
        response = client.post(f"/api/v1/webhooks/dead-letters/{delivery.pk}/replay/")
        assert response.status_code == 202

        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT, timeout=30,
                   message="the replayed delivery was not sent")
        stack.wait_for_relay_runs(3)
        assert len(receiver.accepted()) == 1
        assert receiver.accepted()[0].headers["X-SME-Event-Id"] == str(delivery.event.uid)
        assert client.get("/api/v1/webhooks/dead-letters/").json()["count"] == 0
    finally:
        receiver.stop()


def test_owner_sends_a_test_event_that_a_real_worker_delivers_signed(shared_broker_stack):
    stack = shared_broker_stack
    receiver = Receiver().start()
    try:
        company, owner, endpoint = _company_with_endpoint("Test Event Receiver Ltd", receiver)
        client = APIClient()
        client.force_authenticate(user=owner)

        response = client.post(f"/api/v1/webhooks/{endpoint.pk}/test/")

        assert response.status_code == 202
        delivery = Delivery.objects.get(pk=response.json()["id"])
        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT, timeout=30,
                   message="the test event was not delivered")
        stack.wait_for_relay_runs(2)
        [received] = receiver.requests
        assert received.headers["X-SME-Event"] == "webhook.test"
        assert received.headers["X-SME-Event-Id"] == str(delivery.event.uid)
        assert signature_verify(secret=endpoint.secret, header=received.headers["X-SME-Signature"],
                                body=received.body)
        assert received.json["data"]["actor"] == {
            "company_id": company.pk, "company_name": "Test Event Receiver Ltd", "user_id": owner.pk,
            "user_name": owner.full_name, "role": "owner"}
    finally:
        receiver.stop()
