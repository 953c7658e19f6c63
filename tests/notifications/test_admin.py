"""The notification tables in the admin: lists open, secrets stay hidden, dead letters can be resent."""
from __future__ import annotations

import pytest
from pytest_django.asserts import assertNotContains

from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services import notify

pytestmark = pytest.mark.django_db

CONTEXT = {"listing_id": 7, "listing_title": "Cotton towel", "decision_id": 1, "from_status": "pending_review",
           "to_status": "published", "reason": "", "changes_reviewed": False, "applied_changes": False}


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changelists_and_pages_open(admin_client_, company_a, member_a, endpoint):
    event = notify(event="listing.decided", company=company_a, context=CONTEXT)
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)

    for url in ("/admin/notifications/event/", f"/admin/notifications/event/{event.pk}/change/",
                "/admin/notifications/delivery/", f"/admin/notifications/delivery/{delivery.pk}/change/",
                "/admin/notifications/webhookendpoint/", f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/",
                "/admin/notifications/notificationpreference/"):
        assert admin_client_.get(url).status_code == 200, url

    assertNotContains(admin_client_.get(f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/"), endpoint.secret)


def test_send_again_action_resets_only_dead_deliveries(admin_client_, company_a, member_a, endpoint,
                                                       django_capture_on_commit_callbacks):
    notify(event="listing.decided", company=company_a, context=CONTEXT)
    webhook = Delivery.objects.get(channel=Channel.WEBHOOK)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    Delivery.objects.filter(pk=webhook.pk).update(status=DeliveryStatus.DEAD, attempts=8)
    Delivery.objects.filter(pk=email.pk).update(status=DeliveryStatus.SENT, attempts=1)

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client_.post("/admin/notifications/delivery/", {
            "action": "send_again", "_selected_action": [webhook.pk, email.pk]})

    assert response.status_code == 302
    assert len(callbacks) == 1
    webhook.refresh_from_db()
    email.refresh_from_db()
    assert (webhook.status, webhook.attempts) == (DeliveryStatus.PENDING, 0)
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
