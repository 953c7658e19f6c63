"""POST /api/v1/webhooks/{id}/test/: a signed webhook.test event through the normal delivery path."""
from __future__ import annotations

import json

import pytest

from notifications.models import Channel, Delivery, DeliveryStatus, Event
from notifications.relay import deliveries_relay
from notifications.services import MAX_OPEN_TEST_EVENTS
from notifications.tasks import delivery_send
from notifications.webhooks import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, signature_verify
from tests.core.helpers import assert_error

pytestmark = pytest.mark.django_db


def _test_url(endpoint) -> str:
    return f"/api/v1/webhooks/{endpoint.pk}/test/"


def test_owner_sends_a_signed_test_event_after_commit(as_user, company_a, member_a, endpoint, receiver,
                                                      django_capture_on_commit_callbacks):
    assert "webhook.test" not in endpoint.events  # sent whatever the endpoint subscribed to
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_user(member_a).post(_test_url(endpoint))

    assert response.status_code == 202
    delivery = Delivery.objects.get()
    body = response.json()
    assert (body["id"], body["endpoint"], body["event"], body["status"], body["attempts"]) == (
        delivery.pk, endpoint.pk, "webhook.test", "pending", 0)
    assert len(callbacks) == 1  # the relay is nudged once the transaction commits
    assert receiver.requests == []  # nothing was sent inside the request

    published = []
    assert deliveries_relay(publish=published.append) == 1
    assert published == [delivery.pk]
    assert delivery_send(delivery.pk) == "sent"

    [received] = receiver.requests
    event = Event.objects.get()
    assert signature_verify(secret=endpoint.secret, header=received.headers[SIGNATURE_HEADER], body=received.body)
    assert (received.headers[EVENT_HEADER], received.headers[EVENT_ID_HEADER]) == ("webhook.test", str(event.uid))
    payload = json.loads(received.body)
    assert (payload["type"], payload["id"], payload["company_id"]) == ("webhook.test", str(event.uid), company_a.pk)
    assert payload["data"] == {
        "endpoint_id": endpoint.pk,
        "message": "A test event sent at the request of the company's owner.",
        "actor": {"company_id": company_a.pk, "company_name": company_a.legal_name, "user_id": member_a.pk,
                  "user_name": member_a.full_name, "role": "owner"},
    }
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_switched_off_endpoint_gets_no_test_event(as_user, member_a, endpoint):
    endpoint.is_active = False
    endpoint.save()

    response = as_user(member_a).post(_test_url(endpoint))

    assert_error(response, 409, "endpoint_inactive",
                 message="Switch the endpoint on before sending a test event to it.")
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


def test_test_events_waiting_are_bounded(as_user, member_a, endpoint, django_capture_on_commit_callbacks):
    for _ in range(MAX_OPEN_TEST_EVENTS):
        assert as_user(member_a).post(_test_url(endpoint)).status_code == 202

    response = as_user(member_a).post(_test_url(endpoint))

    assert_error(response, 409, "test_events_waiting", message=(
        "3 test events to this endpoint are still waiting to be delivered; try again once they are."))
    assert Delivery.objects.filter(channel=Channel.WEBHOOK).count() == MAX_OPEN_TEST_EVENTS

    Delivery.objects.update(status=DeliveryStatus.SENT)
    assert as_user(member_a).post(_test_url(endpoint)).status_code == 202


def test_only_the_owner_of_the_endpoints_company_may_test_it(as_user, staff_a, member_b, endpoint):
    assert_error(as_user(None).post(_test_url(endpoint)), 401, "not_authenticated")
    assert_error(as_user(staff_a).post(_test_url(endpoint)), 403, "permission_denied")
    assert_error(as_user(member_b).post(_test_url(endpoint)), 404, "not_found")
    assert Delivery.objects.count() == 0
