"""The company webhook pages: endpoints, the one-time secret, edits, deletion and the dead letters."""
from __future__ import annotations

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from notifications.models import Channel, Delivery, DeliveryStatus, Event, WebhookEndpoint, endpoint_key
from notifications.webhooks import secret_generate
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/my-company/webhooks/"
NEW = "/my-company/webhooks/new/"
VERIFICATION = "company.verification_decided"
LISTING = "listing.decided"
VERIFICATION_LABEL = "A moderator decided on my company&#x27;s verification"


def _endpoint(company, url="https://hooks.alpha.example/sme", events=(VERIFICATION,), **extra) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(company=company, url=url, secret=secret_generate(), events=list(events),
                                          **extra)


def _dead(endpoint, *, error="HTTP 500", attempts=8, name=VERIFICATION) -> Delivery:
    event = Event.objects.create(name=name, company=endpoint.company, context={})
    return Delivery.objects.create(event=event, channel=Channel.WEBHOOK, recipient_key=endpoint_key(endpoint.pk),
                                   endpoint=endpoint, status=DeliveryStatus.DEAD, attempts=attempts,
                                   failed_at=timezone.now(), last_error=error)


def _edit(endpoint) -> str:
    return f"/my-company/webhooks/{endpoint.pk}/edit/"


def _rotate(endpoint) -> str:
    return f"/my-company/webhooks/{endpoint.pk}/rotate-secret/"


def _delete(endpoint) -> str:
    return f"/my-company/webhooks/{endpoint.pk}/delete/"


def _replay(delivery) -> str:
    return f"/my-company/webhooks/dead-letters/{delivery.pk}/replay/"


def _snapshot() -> dict:
    return {
        "endpoints": list(WebhookEndpoint.objects.order_by("pk").values_list(
            "pk", "company_id", "url", "secret", "events", "is_active", "updated_at")),
        "deliveries": list(Delivery.objects.order_by("pk").values_list(
            "pk", "status", "attempts", "failed_at", "next_attempt_at")),
    }


@pytest.fixture
def owner_client(client, member_a):
    client.force_login(member_a)
    return client


# --- who may see and change -----------------------------------------------------------------------

def test_the_owner_sees_endpoints_events_and_forms_but_no_secret(owner_client, company_a):
    endpoint = _endpoint(company_a, events=[VERIFICATION, LISTING])
    _endpoint(company_a, url="https://hooks.alpha.example/off", is_active=False)

    response = owner_client.get(LIST)

    assert response.status_code == 200
    assertContains(response, "<code>https://hooks.alpha.example/sme</code>", html=True)
    assertContains(response, f"<li>{VERIFICATION_LABEL}</li>", html=True)
    assertContains(response, "<li>A moderator decided on one of my company&#x27;s listings</li>", html=True)
    assertContains(response, '<span class="badge badge-verified">Active</span>', html=True, count=1)
    assertContains(response, '<span class="badge badge-draft">Inactive</span>', html=True, count=1)
    assertContains(response, 'id="endpoint-form"')
    assertContains(response, f'href="{_edit(endpoint)}"')
    assertContains(response, f'action="{_rotate(endpoint)}"')
    assertNotContains(response, endpoint.secret)
    assertNotContains(response, 'id="owners-only"')


def test_my_company_links_to_the_webhooks(owner_client):
    assertContains(owner_client.get("/my-company/"), f'<a id="webhooks-link" href="{LIST}">Webhooks</a>', html=True)


def test_a_staff_member_views_but_cannot_change(client, staff_a, company_a):
    endpoint = _endpoint(company_a)
    delivery = _dead(endpoint)
    client.force_login(staff_a)
    before = _snapshot()

    response = client.get(LIST)

    assert response.status_code == 200
    assertContains(response, "https://hooks.alpha.example/sme")
    assertContains(response, f'id="dead-letter-{delivery.pk}"')
    assertContains(response, 'id="owners-only"')
    assertNotContains(response, 'id="endpoint-form"')
    assertNotContains(response, _edit(endpoint))
    assertNotContains(response, _replay(delivery))
    assertNotContains(response, endpoint.secret)
    assert client.post(NEW, {"url": "https://hooks.alpha.example/new", "events": [VERIFICATION]}).status_code == 403
    assert client.get(_edit(endpoint)).status_code == 403
    assert client.post(_edit(endpoint), {"url": endpoint.url, "events": [LISTING]}).status_code == 403
    assert client.post(_rotate(endpoint)).status_code == 403
    assert client.post(_delete(endpoint)).status_code == 403
    assert client.post(_replay(delivery)).status_code == 403
    assert _snapshot() == before


def test_another_companys_owner_sees_nothing_and_gets_404(client, member_b, company_a):
    endpoint = _endpoint(company_a)
    delivery = _dead(endpoint)
    client.force_login(member_b)
    before = _snapshot()

    response = client.get(LIST)

    assert response.status_code == 200
    assert response.context["endpoints"] == [] and response.context["dead_letters"] == []
    assertNotContains(response, "hooks.alpha.example")
    assert client.get(_edit(endpoint)).status_code == 404
    assert client.post(_edit(endpoint), {"url": "https://evil.example/", "events": [LISTING]}).status_code == 404
    assert client.post(_rotate(endpoint)).status_code == 404
    assert client.post(_delete(endpoint)).status_code == 404
    assert client.post(_replay(delivery)).status_code == 404
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client, company_a):
    endpoint = _endpoint(company_a)
    before = _snapshot()

    assertRedirects(client.get(LIST), f"/login/?next={LIST}", fetch_redirect_response=False)
    for url in (NEW, _rotate(endpoint), _delete(endpoint)):
        assertRedirects(client.post(url, {"url": "https://x.example/", "events": [VERIFICATION]}),
                        "/login/?next=%2F", fetch_redirect_response=False)  # a page, not the form's address
    assert _snapshot() == before


def test_a_user_without_company_is_refused(client):
    client.force_login(UserFactory())

    assert client.get(LIST).status_code == 403


# --- adding, the one-time secret, rotating --------------------------------------------------------

def test_adding_an_endpoint_shows_its_secret_once(owner_client, company_a, member_a):
    response = owner_client.post(NEW, {"url": "https://hooks.alpha.example/new", "events": [LISTING, VERIFICATION]})

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(company=company_a)
    assert (endpoint.url, endpoint.events, endpoint.is_active, endpoint.created_by) == (
        "https://hooks.alpha.example/new", [VERIFICATION, LISTING], True, member_a)
    assert endpoint.secret.startswith("whsec_")
    assertContains(response, f'value="{endpoint.secret}"')
    assertContains(response, "an X-SME-Signature header of the form t=TIME,v1=SIGNATURE.")
    assert "no-store" in response["Cache-Control"]
    for url in (LIST, _edit(endpoint)):
        assertNotContains(owner_client.get(url), endpoint.secret)


def test_rotating_shows_the_new_secret_once(owner_client, company_a):
    endpoint = _endpoint(company_a)
    old = endpoint.secret

    response = owner_client.post(_rotate(endpoint))

    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    assertContains(response, f'value="{endpoint.secret}"')
    assertNotContains(response, old)
    assert "no-store" in response["Cache-Control"]
    assertNotContains(owner_client.get(LIST), endpoint.secret)


def test_rotating_needs_a_post(owner_client, company_a):
    endpoint = _endpoint(company_a)
    before = _snapshot()

    assert owner_client.get(_rotate(endpoint)).status_code == 405
    assert _snapshot() == before


@pytest.mark.parametrize(("data", "errors"), [
    ({"url": "http://hooks.alpha.example/", "events": [VERIFICATION]}, {"url": ["The URL must start with https://."]}),
    ({"url": "ftp://hooks.alpha.example/", "events": [VERIFICATION]}, {"url": ["The URL must start with https://."]}),
    ({"url": "https://user:pw@hooks.alpha.example/", "events": [VERIFICATION]},
     {"url": ["The URL may not contain a user name or password."]}),
    ({"url": "https://", "events": [VERIFICATION]}, {"url": ["Enter a valid URL."]}),
    ({"url": "", "events": [VERIFICATION]}, {"url": ["This field is required."]}),
    ({"url": "https://hooks.alpha.example/"}, {"events": ["Subscribe to at least one event."]}),
    ({"url": "https://hooks.alpha.example/", "events": ["order.secret_event"]},
     {"events": ["Select a valid choice. order.secret_event is not one of the available choices."]}),
])
def test_bad_input_is_a_form_error_with_status_400(owner_client, company_a, data, errors):
    before = _snapshot()

    response = owner_client.post(NEW, data)

    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert _snapshot() == before


def test_the_endpoint_limit_is_a_form_error(owner_client, company_a):
    for index in range(10):
        _endpoint(company_a, url=f"https://hooks.alpha.example/{index}")
    before = _snapshot()

    response = owner_client.post(NEW, {"url": "https://hooks.alpha.example/11", "events": [VERIFICATION]})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["A company can register at most 10 webhook endpoints."]
    assert _snapshot() == before


# --- editing and deleting -------------------------------------------------------------------------

def test_the_owner_changes_events_and_switches_an_endpoint_off(owner_client, company_a):
    endpoint = _endpoint(company_a)
    secret = endpoint.secret

    page = owner_client.get(_edit(endpoint))
    assert page.context["form"]["events"].value() == [VERIFICATION]
    assert page.context["form"]["is_active"].value() is True
    response = owner_client.post(_edit(endpoint), {"url": endpoint.url, "events": [LISTING]})

    assertRedirects(response, LIST, fetch_redirect_response=False)
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.is_active, endpoint.secret) == ([LISTING], False, secret)


def test_an_edit_to_a_plain_http_url_changes_nothing(owner_client, company_a):
    endpoint = _endpoint(company_a)
    before = _snapshot()

    response = owner_client.post(_edit(endpoint), {"url": "http://hooks.alpha.example/", "events": [LISTING],
                                                   "is_active": "on"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"url": ["The URL must start with https://."]}
    assert _snapshot() == before


def test_the_owner_deletes_an_endpoint(owner_client, company_a):
    endpoint = _endpoint(company_a)
    other = _endpoint(company_a, url="https://hooks.alpha.example/keep")

    response = owner_client.post(_delete(endpoint))

    assertRedirects(response, LIST, fetch_redirect_response=False)
    assert list(WebhookEndpoint.objects.values_list("pk", flat=True)) == [other.pk]


# --- dead letters ---------------------------------------------------------------------------------

def test_the_dead_letters_show_event_time_attempts_and_error(owner_client, company_a):
    delivery = _dead(_endpoint(company_a), error="HTTP 502 from the endpoint", attempts=8)

    response = owner_client.get(LIST)

    row = response.content.decode().split(f'id="dead-letter-{delivery.pk}"')[1].split("</tr>")[0]
    assert VERIFICATION_LABEL in row
    assert "HTTP 502 from the endpoint" in row
    assert '<td class="num">8</td>' in row
    assert str(delivery.event.uid) in row
    assert f'action="{_replay(delivery)}"' in row


def test_the_error_text_is_escaped(owner_client, company_a):
    _dead(_endpoint(company_a), error='<script>alert("x")</script><img src=x onerror=alert(1)>')

    response = owner_client.get(LIST)

    assertNotContains(response, "<script>alert")
    assertNotContains(response, "<img src=x")
    assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;")


def test_replay_moves_a_dead_delivery_back_to_pending(owner_client, company_a):
    delivery = _dead(_endpoint(company_a), attempts=8)
    sent_later = _dead(_endpoint(company_a, url="https://hooks.alpha.example/2"))

    response = owner_client.post(_replay(delivery))

    assertRedirects(response, LIST + "#dead-letters", fetch_redirect_response=False)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.failed_at) == (DeliveryStatus.PENDING, 0, None)
    assert Delivery.objects.get(pk=sent_later.pk).status == DeliveryStatus.DEAD
    page = owner_client.get(LIST)
    assertNotContains(page, f'id="dead-letter-{delivery.pk}"')
    assertContains(page, "The delivery is queued to be sent again.")


def test_replay_to_an_inactive_endpoint_is_refused_and_changes_nothing(owner_client, company_a):
    delivery = _dead(_endpoint(company_a, is_active=False))
    before = _snapshot()

    response = owner_client.post(_replay(delivery), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Switch the endpoint on before sending to it again."]
    assert _snapshot() == before


def test_replaying_twice_says_it_is_no_longer_failed(owner_client, company_a):
    delivery = _dead(_endpoint(company_a))
    owner_client.post(_replay(delivery), follow=True)

    response = owner_client.post(_replay(delivery), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Only a failed delivery can be sent again."]
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING


# --- queries --------------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 10])
def test_the_page_runs_the_same_queries_for_1_and_10_rows(owner_client, company_a, count,
                                                          django_assert_num_queries):
    for index in range(count):
        _dead(_endpoint(company_a, url=f"https://hooks.alpha.example/{index}", events=[VERIFICATION, LISTING]),
              name=LISTING if index % 2 else VERIFICATION)
    owner_client.get(LIST)

    with django_assert_num_queries(9):  # 8, and the unread messages of the "Messages" link
        response = owner_client.get(LIST)

    assert len(response.context["endpoints"]) == count
    assert len(response.context["dead_letters"]) == count


def test_the_page_comes_in_simplified_chinese(owner_client, company_a, settings):
    _dead(_endpoint(company_a))
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = owner_client.get(LIST)

    assertContains(response, "<h2>死信</h2>", html=True)
    assertContains(response, "重新发送")
