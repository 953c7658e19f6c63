"""The "Send a test event" button of the company webhooks page."""
from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from notifications.webhooks import secret_generate

pytestmark = pytest.mark.django_db

LIST = "/my-company/webhooks/"


def _endpoint(company, **extra) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(company=company, url="https://hooks.alpha.example/sme",
                                          secret=secret_generate(), events=["listing.decided"], **extra)


def _test(endpoint) -> str:
    return f"/my-company/webhooks/{endpoint.pk}/test/"


def test_owners_see_the_button_on_active_endpoints(client, member_a, company_a):
    active = _endpoint(company_a)
    inactive = _endpoint(company_a, is_active=False)
    client.force_login(member_a)

    response = client.get(LIST)

    assertContains(response, f'action="{_test(active)}"', count=1)
    assertNotContains(response, f'action="{_test(inactive)}"')
    assertContains(response, "Send a test event", count=1)


def test_the_button_queues_a_test_event_and_says_so(client, member_a, company_a, django_capture_on_commit_callbacks):
    endpoint = _endpoint(company_a)
    client.force_login(member_a)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_test(endpoint))

    assertRedirects(response, f"{LIST}#endpoint-{endpoint.pk}", fetch_redirect_response=False)
    [delivery] = Delivery.objects.all()
    assert (delivery.endpoint, delivery.channel, delivery.event.name, delivery.status) == (
        endpoint, Channel.WEBHOOK, "webhook.test", DeliveryStatus.PENDING)
    assert delivery.event.context["actor"]["user_id"] == member_a.pk
    assert len(callbacks) == 1
    assertContains(client.get(LIST), "A signed test event is on its way to this endpoint.")


def test_a_refusal_is_shown_and_nothing_is_queued(client, member_a, company_a):
    endpoint = _endpoint(company_a, is_active=False)
    client.force_login(member_a)

    response = client.post(_test(endpoint), follow=True)

    assertContains(response, "Switch the endpoint on before sending a test event to it.")
    assert Delivery.objects.count() == 0


def test_staff_and_other_companies_cannot_send_test_events(client, staff_a, member_b, company_a):
    endpoint = _endpoint(company_a)

    client.force_login(staff_a)
    assert client.get(LIST).status_code == 200
    assertNotContains(client.get(LIST), "Send a test event")
    assert client.post(_test(endpoint)).status_code == 403

    client.force_login(member_b)
    assert client.post(_test(endpoint)).status_code == 404
    assert client.get(_test(endpoint)).status_code == 405
    assert Delivery.objects.count() == 0
