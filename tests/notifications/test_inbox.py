"""In-app notifications: the API, the list page, the bell. Nobody ever sees another person's."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from notifications.models import Channel, Delivery
from notifications.services import notify

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications/"


def _verification(company, status="verified", reason=""):
    return notify(event="company.verification_decided", company=company, context={
        "company_id": company.pk, "company_name": company.legal_name, "decision_id": 0, "from_status": "pending",
        "to_status": status, "reason": reason})


def _inbox(user) -> list[Delivery]:
    return list(Delivery.objects.filter(recipient=user, channel=Channel.IN_APP).order_by("pk"))


@pytest.fixture
def client_as(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


# --- API ------------------------------------------------------------------------------------------

def test_list_shows_only_my_notifications_newest_first(as_user, company_a, member_a, company_b, member_b):
    _verification(company_a, "verified")
    _verification(company_b, "rejected", "Blurry")
    _verification(company_a, "suspended", "Complaints")

    response = as_user(member_a).get(API)

    assert response.status_code == 200
    body = response.json()
    first, second = _inbox(member_a)
    assert body["count"] == 2
    assert [(r["id"], r["event"], r["text"], r["link"], r["unread"], r["read_at"]) for r in body["results"]] == [
        (second.pk, "company.verification_decided",
         "The verification status of Alpha Textiles is now: Suspended. Reason: Complaints",
         "/my-company/", True, None),
        (first.pk, "company.verification_decided", "The verification status of Alpha Textiles is now: Verified.",
         "/my-company/", True, None),
    ]


def test_text_follows_the_readers_language(as_user, company_a, member_a):
    _verification(company_a, "verified")

    response = as_user(member_a).get(API, HTTP_ACCEPT_LANGUAGE="tr")

    assert response.json()["results"][0]["text"] == "Alpha Textiles şirketinin doğrulama durumu artık: Doğrulanmış."


def test_mark_read_and_unread_filter(as_user, company_a, member_a):
    _verification(company_a, "verified")
    _verification(company_a, "suspended", "x")
    first, second = _inbox(member_a)
    client = as_user(member_a)

    response = client.post(f"{API}{first.pk}/read/")

    assert response.status_code == 200
    assert response.json()["unread"] is False
    first.refresh_from_db()
    assert response.json()["read_at"] is not None and first.read_at is not None
    assert [r["id"] for r in client.get(f"{API}?unread=true").json()["results"]] == [second.pk]
    assert client.get(f"{API}unread-count/").json() == {"unread": 1}
    # Marking it again keeps the first time it was read.
    read_at = first.read_at
    client.post(f"{API}{first.pk}/read/")
    first.refresh_from_db()
    assert first.read_at == read_at


def test_nobody_marks_or_sees_another_persons_notification(as_user, company_a, member_a, staff_a, company_b, member_b):
    _verification(company_a, "verified")
    mine = _inbox(member_a)[0]
    colleagues = _inbox(staff_a)[0]

    response = as_user(member_b).post(f"{API}{mine.pk}/read/")
    assert response.status_code == 404
    response = as_user(staff_a).post(f"{API}{mine.pk}/read/")
    assert response.status_code == 404
    assert as_user(member_b).get(API).json()["count"] == 0
    assert as_user(member_b).post(f"{API}read-all/").json() == {"marked": 0}

    mine.refresh_from_db()
    colleagues.refresh_from_db()
    assert (mine.read_at, colleagues.read_at) == (None, None)


def test_mark_all_read_touches_only_mine(as_user, company_a, member_a, staff_a):
    _verification(company_a, "verified")
    _verification(company_a, "suspended", "x")

    assert as_user(member_a).post(f"{API}read-all/").json() == {"marked": 2}

    assert [d.read_at is not None for d in _inbox(member_a)] == [True, True]
    assert [d.read_at is None for d in _inbox(staff_a)] == [True, True]
    assert as_user(member_a).get(f"{API}unread-count/").json() == {"unread": 0}


def test_other_channels_are_not_in_the_inbox(as_user, company_a, member_a):
    _verification(company_a, "verified")
    email = Delivery.objects.get(channel=Channel.EMAIL, recipient=member_a)

    assert as_user(member_a).post(f"{API}{email.pk}/read/").status_code == 404
    assert as_user(member_a).get(API).json()["count"] == 1


def test_anonymous_is_refused(as_user):
    for response in (as_user(None).get(API), as_user(None).post(f"{API}read-all/"),
                     as_user(None).get(f"{API}unread-count/")):
        assert response.status_code == 401


# --- pages ----------------------------------------------------------------------------------------

def _bell(response) -> str:
    return re.search(r'<a class="bell[^"]*" id="notification-bell".*?</a>', response.content.decode(), re.S).group(0)


def test_bell_shows_the_unread_count_on_every_page(client_as, company_a, member_a):
    client = client_as(member_a)
    assert 'class="bell-count"' not in _bell(client.get("/"))

    for _ in range(3):
        _verification(company_a, "verified")

    for url in ("/", "/my-company/", "/notifications/"):
        bell = _bell(client.get(url))
        assert '<span class="bell-count">3</span>' in bell
        assert 'aria-label="Notifications, 3 unread"' in bell
        assert 'href="/notifications/"' in bell


def test_bell_caps_the_number(client_as, company_a, member_a):
    for _ in range(100):
        _verification(company_a, "verified")

    assert '<span class="bell-count">99+</span>' in _bell(client_as(member_a).get("/"))


def test_no_bell_for_anonymous(client):
    assertNotContains(client.get("/"), 'id="notification-bell"')


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_bell_costs_one_query_whatever_the_number(client_as, company_a, member_a):
    client = client_as(member_a)
    _queries(client, "/")
    empty = _queries(client, "/")
    for _ in range(30):
        _verification(company_a, "verified")

    full = _queries(client, "/")

    assert len(full) == len(empty)
    bell = [sql for sql in full if "notifications_delivery" in sql]
    assert len(bell) == 1 and "COUNT(" in bell[0]


def test_list_page_and_read_marks(client_as, company_a, member_a, staff_a):
    _verification(company_a, "verified")
    _verification(company_a, "rejected", "Blurry extract")
    first, second = _inbox(member_a)
    client = client_as(member_a)

    response = client.get("/notifications/")
    assertContains(response, "The verification status of Alpha Textiles is now: Rejected.")
    assertContains(response, f'id="notification-{first.pk}"')
    assertContains(response, 'id="read-all-form"')

    response = client.post(f"/notifications/{first.pk}/read/", {"next": "/notifications/"})
    assertRedirects(response, "/notifications/", fetch_redirect_response=False)
    first.refresh_from_db()
    assert first.read_at is not None

    response = client.post(f"/notifications/{second.pk}/read/", {"open": "1"})
    assertRedirects(response, "/my-company/", fetch_redirect_response=False)

    colleague = _inbox(staff_a)[0]
    response = client.post(f"/notifications/{colleague.pk}/read/")
    assertRedirects(response, "/notifications/", fetch_redirect_response=False)
    colleague.refresh_from_db()
    assert colleague.read_at is None


def test_list_page_mark_all_read_and_unread_filter(client_as, company_a, member_a):
    _verification(company_a, "verified")
    client = client_as(member_a)

    response = client.post("/notifications/read-all/", {"next": "https://evil.example/"})

    assertRedirects(response, "/notifications/", fetch_redirect_response=False)
    assert [d.read_at is not None for d in _inbox(member_a)] == [True]
    assertContains(client.get("/notifications/?unread=1"), 'id="notifications-empty"')
    assertNotContains(client.get("/notifications/"), 'id="read-all-form"')


def test_pages_need_a_login_and_refuse_get_for_writes(client, client_as, member_a):
    for url in ("/notifications/", "/notifications/settings/"):
        response = client.get(url)
        assertRedirects(response, f"/login/?next={url}", fetch_redirect_response=False)
    client = client_as(member_a)
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.get("/notifications/1/read/").status_code == 405


def test_pages_have_no_inline_script_or_style(client_as, company_a, member_a):
    _verification(company_a, "verified")
    client = client_as(member_a)

    for url in ("/", "/notifications/", "/notifications/settings/"):
        body = client.get(url).content.decode()
        # The one script is htmx, a static file with the page's nonce, for the bell's short list.
        scripts = re.findall(r"<script[^>]*>.*?</script>", body, re.S)
        assert len(scripts) == 1
        assert re.fullmatch(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce="[^"]+"></script>',
                            scripts[0])
        assert "style=" not in body and re.search(r"\son[a-z]+=", body) is None
