"""Webhook signatures, addresses, retry delays, and the endpoints and dead-letter API."""
from __future__ import annotations

import hashlib
import hmac
import random
import time

import pytest
from django.conf import settings as django_settings

from notifications import checks
from notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from notifications.relay import deliveries_relay
from notifications.services import notify
from notifications.tasks import delivery_send
from notifications.webhooks import (
    retry_delay,
    signature,
    signature_header,
    signature_verify,
    url_problem,
)
from tests.core.helpers import assert_error

WEBHOOKS = "/api/v1/webhooks/"
DEAD = "/api/v1/webhooks/dead-letters/"
BODY = b'{"id":"e1","type":"listing.decided"}'


# --- signatures -----------------------------------------------------------------------------------

def test_signature_round_trip():
    header = signature_header(secret="whsec_abc", body=BODY, timestamp=1_770_000_000)

    assert header == f"t=1770000000,v1={signature(secret='whsec_abc', timestamp=1_770_000_000, body=BODY)}"
    assert signature_verify(secret="whsec_abc", header=header, body=BODY, now=1_770_000_100)


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(b"whsec_abc", b"1770000000." + BODY, hashlib.sha256).hexdigest()
    assert signature(secret="whsec_abc", timestamp=1_770_000_000, body=BODY) == expected


@pytest.mark.parametrize(("secret", "header_body", "verify_body", "now"), [
    ("whsec_other", BODY, BODY, 1_770_000_000),  # wrong secret
    ("whsec_abc", BODY, BODY + b" ", 1_770_000_000),  # body changed
    ("whsec_abc", BODY, BODY, 1_770_000_301),  # too old
    ("whsec_abc", BODY, BODY, 1_769_999_699),  # from the future
])
def test_signature_refuses_tampering_and_replays(secret, header_body, verify_body, now):
    header = signature_header(secret="whsec_abc", body=header_body, timestamp=1_770_000_000)

    assert not signature_verify(secret=secret, header=header, body=verify_body, now=now)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "t=1770000000", "garbage"])
def test_malformed_signature_headers(header):
    assert not signature_verify(secret="whsec_abc", header=header, body=BODY, now=1_770_000_000)


def test_any_of_several_v1_values_may_match():
    good = signature(secret="whsec_abc", timestamp=1_770_000_000, body=BODY)

    assert signature_verify(secret="whsec_abc", header=f"t=1770000000,v1=deadbeef,v1={good}", body=BODY,
                            now=1_770_000_000)


# --- retry delays ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 30), (2, 60), (3, 120), (4, 240), (5, 300), (12, 300)])
def test_retry_delay_is_exponential_capped_and_jittered(attempt, ceiling):
    rng = random.Random(attempt)
    delays = [retry_delay(attempt, base=30, maximum=300, rng=rng) for _ in range(500)]

    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert max(delays) - min(delays) > ceiling / 4  # spread out, not one fixed value


def test_retry_delay_bounds_exactly():
    class Fixed:
        def __init__(self, fraction):
            self.fraction = fraction

        def uniform(self, low, high):
            return low + (high - low) * self.fraction

    assert retry_delay(3, base=10, maximum=1000, rng=Fixed(0)) == 20
    assert retry_delay(3, base=10, maximum=1000, rng=Fixed(1)) == 40


# --- addresses (the full rules are in test_webhook_addresses.py) ----------------------------------

@pytest.mark.parametrize(("url", "allow_loopback", "problem"), [
    ("https://erp.example.com/hooks", False, None),
    ("https://erp.example.com:8443/hooks?x=1", False, None),
    ("http://erp.example.com/hooks", False, "The URL must start with https://."),
    ("http://127.0.0.1:8001/hooks", False, "The URL must start with https://."),
    ("http://127.0.0.1:8001/hooks", True, None),
    ("http://localhost:8001/hooks", True, None),
    ("http://[::1]:8001/hooks", True, None),
    ("http://localhost:8001/hooks", False, "The URL must start with https://."),
    ("http://10.0.0.1/hooks", True, "The URL must start with https://."),
    ("ftp://erp.example.com/", False, "The URL must start with https://."),
    ("https://user:pw@erp.example.com/", False, "The URL may not contain a user name or password."),
    ("https:///nohost", False, "Enter a valid URL."),
    ("https://erp.example.com:99999/", False, "Enter a valid URL."),
])
def test_url_problem(settings, url, allow_loopback, problem):
    settings.WEBHOOKS_ALLOW_LOOPBACK = allow_loopback

    assert url_problem(url) == problem


def test_loopback_is_off_outside_the_test_settings():
    from config.settings import base

    assert base.WEBHOOKS_ALLOW_LOOPBACK is False
    assert django_settings.WEBHOOKS_ALLOW_LOOPBACK is True  # these are the test settings


def test_deploy_check_fails_when_insecure_localhost_is_on(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert [e.id for e in checks.insecure_webhooks_check(None)] == ["notifications.E001"]

    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert checks.insecure_webhooks_check(None) == []


def test_claims_must_outlive_the_task_time_limit(settings):
    settings.NOTIFICATIONS_CLAIM_STALE_SECONDS = settings.NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS
    assert [e.id for e in checks.claim_outlives_task_check(None)] == ["notifications.E002"]


# --- the endpoints API ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_owner_registers_an_endpoint_and_sees_the_secret_once(as_user, company_a, member_a):
    response = as_user(member_a).post(WEBHOOKS, {"url": "https://erp.alpha.example/hooks",
                                                 "events": ["listing.decided", "company.verification_decided",
                                                            "listing.decided"]}, format="json")

    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    body = response.json()
    assert body == {"id": endpoint.pk, "company": company_a.pk, "url": "https://erp.alpha.example/hooks",
                    "events": ["company.verification_decided", "listing.decided"], "is_active": True,
                    "created_at": body["created_at"], "updated_at": body["updated_at"], "secret": endpoint.secret}
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert (endpoint.company, endpoint.created_by) == (company_a, member_a)

    listed = as_user(member_a).get(WEBHOOKS).json()
    assert [row["id"] for row in listed] == [endpoint.pk]
    assert "secret" not in listed[0]
    assert "secret" not in as_user(member_a).get(f"{WEBHOOKS}{endpoint.pk}/").json()


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field", "message"), [
    ({"url": "http://erp.alpha.example/hooks", "events": ["listing.decided"]}, "url",
     "The URL must start with https://."),
    ({"url": "https://erp.alpha.example/hooks", "events": []}, "events", "This list may not be empty."),
    ({"url": "https://erp.alpha.example/hooks", "events": ["listing.reported"]}, "events",
     "These events cannot be sent to webhooks: listing.reported."),
    ({"url": "https://erp.alpha.example/hooks", "events": ["nope"]}, "events",
     "These events cannot be sent to webhooks: nope."),
    ({"url": "https://erp.alpha.example/hooks", "events": ["listing.decided"], "secret": "mine"}, "secret",
     "This field cannot be set."),
])
def test_bad_endpoints_are_refused(as_user, company_a, member_a, settings, body, field, message):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    response = as_user(member_a).post(WEBHOOKS, body, format="json")

    assert_error(response, 400, "validation_error", fields={field: [message]})
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_only_owners_manage_webhooks(as_user, company_a, member_a, staff_a, company_b, member_b):
    endpoint = WebhookEndpoint.objects.create(company=company_a, url="https://a.example/h", secret="whsec_a",
                                              events=["listing.decided"])
    body = {"url": "https://a.example/h2", "events": ["listing.decided"]}

    for method, url in [("get", WEBHOOKS), ("post", WEBHOOKS), ("get", f"{WEBHOOKS}{endpoint.pk}/"),
                        ("delete", f"{WEBHOOKS}{endpoint.pk}/"), ("get", DEAD)]:
        response = getattr(as_user(staff_a), method)(url, body if method == "post" else None, format="json")
        assert_error(response, 403, "permission_denied",
                     message="Only an owner of the company can manage its webhooks.")
        assert_error(as_user(None).get(url), 401, "not_authenticated")

    # The owner of another company sees none of A's endpoints.
    assert as_user(member_b).get(WEBHOOKS).json() == []
    for method in ("get", "patch", "delete"):
        response = getattr(as_user(member_b), method)(f"{WEBHOOKS}{endpoint.pk}/", {"is_active": False},
                                                     format="json")
        assert response.status_code == 404
    assert as_user(member_b).post(f"{WEBHOOKS}{endpoint.pk}/rotate-secret/").status_code == 404
    response = as_user(member_b).post(WEBHOOKS, {**body, "company": company_a.pk}, format="json")
    assert_error(response, 403, "permission_denied")
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.secret, WebhookEndpoint.objects.count()) == (True, "whsec_a", 1)


@pytest.mark.django_db
def test_owner_updates_rotates_and_deletes(as_user, company_a, member_a):
    endpoint = WebhookEndpoint.objects.create(company=company_a, url="https://a.example/h", secret="whsec_a",
                                              events=["listing.decided"])
    client = as_user(member_a)

    response = client.patch(f"{WEBHOOKS}{endpoint.pk}/", {"is_active": False, "url": "https://b.example/h"},
                            format="json")
    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["url"]) == (False, "https://b.example/h")

    response = client.post(f"{WEBHOOKS}{endpoint.pk}/rotate-secret/")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert response.json()["secret"] == endpoint.secret != "whsec_a"

    assert client.delete(f"{WEBHOOKS}{endpoint.pk}/").status_code == 204
    assert WebhookEndpoint.objects.count() == 0


# --- dead letters ---------------------------------------------------------------------------------

def _dead_delivery(company, endpoint) -> Delivery:
    notify(event="listing.decided", company=company, context={
        "listing_id": 7, "listing_title": "Cotton towel", "decision_id": 1, "from_status": "pending_review",
        "to_status": "published", "reason": "", "changes_reviewed": False, "applied_changes": False})
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK, endpoint=endpoint)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD, attempts=8,
                                                   last_error="the endpoint answered HTTP 500")
    return delivery


@pytest.mark.django_db
def test_dead_letters_are_listed_and_replayed(as_user, company_a, member_a, endpoint, receiver,
                                              django_capture_on_commit_callbacks):
    delivery = _dead_delivery(company_a, endpoint)
    client = as_user(member_a)

    listed = client.get(DEAD).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["id"], row["endpoint"], row["url"], row["event"], row["status"], row["attempts"],
            row["last_error"]) == (delivery.pk, endpoint.pk, endpoint.url, "listing.decided", "dead", 8,
                                   "the endpoint answered HTTP 500")
    assert row["event_id"] == str(delivery.event.uid)
    assert row["data"]["listing_title"] == "Cotton towel"

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{DEAD}{delivery.pk}/replay/")

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    assert len(callbacks) == 1
    assert client.get(DEAD).json()["count"] == 0
    published = []
    # The replayed webhook (the e-mail of the same event was published once notify() committed).
    assert deliveries_relay(publish=published.append) == 1
    assert published == [delivery.pk]
    assert delivery_send(delivery.pk) == "sent"
    assert len(receiver.accepted()) == 1

    response = client.post(f"{DEAD}{delivery.pk}/replay/")
    assert_error(response, 409, "not_dead", message="Only a failed delivery can be sent again.")


@pytest.mark.django_db
def test_dead_letters_of_another_company_are_invisible(as_user, company_a, member_a, company_b, member_b, endpoint):
    delivery = _dead_delivery(company_a, endpoint)

    assert as_user(member_b).get(DEAD).json()["count"] == 0
    response = as_user(member_b).post(f"{DEAD}{delivery.pk}/replay/")

    assert_error(response, 404, "not_found")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 8)


@pytest.mark.django_db
def test_replay_to_a_switched_off_endpoint_is_refused(as_user, company_a, member_a, endpoint):
    delivery = _dead_delivery(company_a, endpoint)
    endpoint.is_active = False
    endpoint.save()

    response = as_user(member_a).post(f"{DEAD}{delivery.pk}/replay/")

    assert_error(response, 409, "endpoint_inactive")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD


def test_signature_header_uses_the_current_time():
    before = int(time.time())
    header = signature_header(secret="whsec_abc", body=BODY)

    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert before <= timestamp <= int(time.time())
    assert signature_verify(secret="whsec_abc", header=header, body=BODY)
