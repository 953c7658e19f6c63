"""Where the log-in page sends a person afterwards: a path of this site from `next`, otherwise the
dashboard. A bad or foreign `next` never breaks the page."""
import pytest
from pytest_django.asserts import assertContains, assertRedirects

from tests.factories.accounts import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

BAD_NEXTS = [
    "foo",  # read by redirect() as a URL name: NoReverseMatch
    "my_company",
    "frontend:home",
    "foo.bar",  # a relative address
    "http://evil",
    "https://evil.example/steal",
    "//evil.example/",
    "/\\evil.example/",
    "http:evil",
    "javascript:alert(1)",
    "/orders/\r\nSet-Cookie: x=1",
    "/orders/\x07",
    "/" + "a" * 2000,
]


@pytest.fixture
def user(db):
    return UserFactory(email="deniz@example.com")


@pytest.mark.parametrize("next_url", BAD_NEXTS)
def test_login_page_with_a_bad_next_offers_the_default(client, next_url):
    response = client.get("/login/", {"next": next_url})

    assert response.status_code == 200
    assertContains(response, '<input type="hidden" name="next" value="/dashboard/">', html=True)


@pytest.mark.parametrize("next_url", BAD_NEXTS)
def test_login_with_a_bad_next_goes_to_the_default(client, user, next_url):
    response = client.post("/login/", {"email": user.email, "password": PASSWORD, "next": next_url})

    assertRedirects(response, "/dashboard/", fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("next_url", BAD_NEXTS)
def test_signed_in_visit_with_a_bad_next_goes_to_the_default(client, user, next_url):
    client.force_login(user)

    response = client.get("/login/", {"next": next_url})

    assertRedirects(response, "/dashboard/", fetch_redirect_response=False)


@pytest.mark.parametrize("next_url", ["/companies/7/", "/catalogue/?q=towels&page=2", "/moderation/companies/"])
def test_a_path_of_this_site_is_followed(client, user, next_url):
    response = client.post("/login/", {"email": user.email, "password": PASSWORD, "next": next_url})

    assertRedirects(response, next_url, fetch_redirect_response=False)


def test_a_failed_login_keeps_a_good_next_and_drops_a_bad_one(client, user):
    kept = client.post("/login/", {"email": user.email, "password": "not-the-password-1", "next": "/companies/7/"})
    dropped = client.post("/login/", {"email": user.email, "password": "not-the-password-1", "next": "foo"})

    assert (kept.status_code, dropped.status_code) == (200, 200)
    assert (kept.context["next"], dropped.context["next"]) == ("/companies/7/", "/dashboard/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("next_url", ["foo", "http://evil"])
def test_a_moderator_decision_with_a_bad_next_goes_back_to_the_queue(client, moderator, next_url):
    company = CompanyFactory(legal_name="Quiet Ltd", verification_status="pending")
    client.force_login(moderator)

    response = client.post(f"/moderation/companies/{company.pk}/verify/", {"next": next_url})

    assertRedirects(response, "/moderation/companies/", fetch_redirect_response=False)
    company.refresh_from_db()
    assert company.verification_status == "verified"
