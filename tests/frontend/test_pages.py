"""Who may open which page, and what each role sees on it."""
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import VerificationStatus
from tests.factories.accounts import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_GET_URLS = ["/my-company/", "/moderation/companies/"]
PRIVATE_POST_URLS = ["/my-company/edit/", "/my-company/verification/", "/my-company/invites/",
                     "/my-company/invites/1/revoke/", "/moderation/companies/1/verify/",
                     "/moderation/companies/1/reject/", "/moderation/companies/1/suspend/",
                     "/moderation/companies/1/reinstate/"]


def _nav(response) -> str:
    return re.search(r"<nav class=\"site-nav\".*?</nav>", response.content.decode(), re.S).group(0)


def test_home_for_anonymous_counts_verified_companies_by_country(client):
    CompanyFactory.create_batch(2, country="TR", verification_status=VerificationStatus.VERIFIED)
    CompanyFactory(country="CN", verification_status=VerificationStatus.VERIFIED)
    CompanyFactory(country="CN", verification_status=VerificationStatus.PENDING)
    CompanyFactory(country="DE", verification_status=VerificationStatus.SUSPENDED)

    response = client.get("/")

    assert response.status_code == 200
    rows = [(row.country.code, str(row.country.name), row.count) for row in response.context["country_counts"]]
    assert rows == [("TR", "Türkiye", 2), ("CN", "China", 1)]
    assert response.context["verified_total"] == 3
    assertContains(response, "<tr><td>Türkiye</td><td class=\"num\">2</td></tr>", html=True)
    nav = _nav(response)
    assert 'href="/signup/"' in nav and 'href="/login/"' in nav
    assert "My company" not in nav and "logout-form" not in nav and "Moderation" not in nav


def test_home_without_verified_companies(client):
    CompanyFactory(verification_status=VerificationStatus.PENDING)

    response = client.get("/")

    assert response.context["country_counts"] == []
    assertContains(response, "No company is verified yet.")


def test_nav_for_member(client_as, member_a):
    nav = _nav(client_as(member_a).get("/"))

    assert 'href="/my-company/"' in nav and 'id="logout-form"' in nav
    assert "/moderation/" not in nav and "/admin/" not in nav and 'href="/login/"' not in nav


def test_nav_for_moderator_and_admin(client_as, moderator, admin_user):
    nav = _nav(client_as(moderator).get("/"))
    assert 'href="/moderation/companies/"' in nav and "/admin/" not in nav

    nav = _nav(client_as(admin_user).get("/"))
    assert 'href="/moderation/companies/"' in nav and 'href="/admin/"' in nav


def test_language_switcher_is_in_every_page(client):
    response = client.get("/login/")

    assertContains(response, '<form class="language-form" method="post" action="/i18n/setlang/">')
    options = re.findall(r'<option value="([^"]+)"', re.search(r'<select id="language-select".*?</select>',
                                                              response.content.decode(), re.S).group(0))
    assert options == ["en", "tr", "zh-hans"]
    assertContains(response, 'id="language-submit"')


@pytest.mark.parametrize("url", ["/", "/signup/", "/login/", "/password-reset/", "/password-reset/MQ/bad-token/"])
def test_public_pages_render_without_inline_script_or_style(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    body = response.content.decode()
    assert "<script" not in body
    assert "style=" not in body
    assert re.search(r"\son[a-z]+=", body) is None


def test_private_pages_render_without_inline_script_or_style(client_as, member_a, moderator, pending_company):
    pending_company()
    pages = [client_as(member_a).get("/my-company/"), client_as(moderator).get("/moderation/companies/")]

    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        # The one script of a signed-in page is htmx, a static file with the page's nonce (the bell's short list).
        scripts = re.findall(r"<script[^>]*>.*?</script>", body, re.S)
        assert len(scripts) == 1
        assert re.fullmatch(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce="[^"]+"></script>',
                            scripts[0])
        assert "style=" not in body and re.search(r"\son[a-z]+=", body) is None


@pytest.mark.parametrize("url", PRIVATE_GET_URLS)
def test_private_pages_send_anonymous_to_login(client, url):
    response = client.get(url)

    assertRedirects(response, f"/login/?next={url}", fetch_redirect_response=False)


@pytest.mark.parametrize("url", PRIVATE_POST_URLS)
def test_private_actions_send_anonymous_to_login(client, url):
    response = client.post(url, {"reason": "x", "email": "a@example.com"})

    # Without a Referer, signing in returns to the home page, not to the address of the form
    # (tests/frontend/test_session_expiry.py).
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2F"


def test_moderation_page_refuses_non_moderators(client_as, member_a):
    staff_not_in_group = UserFactory(is_staff=True)

    assert client_as(member_a).get("/moderation/companies/").status_code == 403
    response = client_as(staff_not_in_group).get("/moderation/companies/")
    assert response.status_code == 403
    assertContains(response, "Access denied", status_code=403)


@pytest.mark.parametrize("action", ["verify", "reject", "suspend", "reinstate"])
def test_moderation_actions_refuse_non_moderators(client_as, member_b, pending_company, action):
    company = pending_company()

    response = client_as(member_b).post(f"/moderation/companies/{company.pk}/{action}/", {"reason": "No."})

    assert response.status_code == 403
    company.refresh_from_db()
    assert company.verification_status == VerificationStatus.PENDING
    assert company.verification_decisions.count() == 0


def test_moderation_page_for_moderator_and_admin(client_as, moderator, admin_user):
    assert client_as(moderator).get("/moderation/companies/").status_code == 200
    assert client_as(admin_user).get("/moderation/companies/").status_code == 200


def test_verified_company_profile_is_public(client):
    company = CompanyFactory(legal_name="Gamma Foods", country="KE", kind="both", website="https://gamma.example",
                             description="Coffee\nand tea", verification_status=VerificationStatus.VERIFIED)

    response = client.get(f"/companies/{company.pk}/")

    assert response.status_code == 200
    assertContains(response, "<h1>Gamma Foods</h1>", html=True)
    assertContains(response, "<dd>Kenya</dd>", html=True)
    assertContains(response, "<dd>Buyer and seller</dd>", html=True)
    assertContains(response, '<span class="badge badge-verified">Verified</span>', html=True)
    assertContains(response, "<p>Coffee<br>and tea</p>", html=True)
    assertNotContains(response, 'id="edit-profile-link"')


def test_company_profile_escapes_description(client):
    company = CompanyFactory(description='<script>alert("x")</script>', verification_status=VerificationStatus.VERIFIED)

    response = client.get(f"/companies/{company.pk}/")

    assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    assertNotContains(response, "<script>")


def test_unverified_company_profile_is_hidden_from_outsiders(client, client_as, company_a, member_b):
    assert client.get(f"/companies/{company_a.pk}/").status_code == 404
    assert client_as(member_b).get(f"/companies/{company_a.pk}/").status_code == 404
    assert client.get("/companies/999999/").status_code == 404


def test_unverified_company_profile_is_visible_to_members_and_moderators(client_as, company_a, staff_a, moderator):
    assert client_as(staff_a).get(f"/companies/{company_a.pk}/").status_code == 200
    assert client_as(moderator).get(f"/companies/{company_a.pk}/").status_code == 200


def test_company_profile_offers_editing_only_to_its_owner(client_as, company_a, member_a, staff_a, member_b):
    company_a.verification_status = VerificationStatus.VERIFIED
    company_a.save()

    owner_view = client_as(member_a).get(f"/companies/{company_a.pk}/")
    assertContains(owner_view, 'id="edit-profile-link"')

    for outsider in (member_b, staff_a):
        response = client_as(outsider).get(f"/companies/{company_a.pk}/")
        assert response.status_code == 200
        assertNotContains(response, 'id="edit-profile-link"')
        assertNotContains(response, "<form id=\"company-form\"")
        assertNotContains(response, 'name="legal_name"')


def test_my_company_always_shows_the_users_own_company(client_as, company_a, company_b, member_b):
    response = client_as(member_b).get("/my-company/")

    assert response.context["company"] == company_b
    assertContains(response, "Beta Circuits")
    assertNotContains(response, "Alpha Textiles")


def test_my_company_without_membership(client_as, moderator):
    response = client_as(moderator).get("/my-company/")

    assert response.status_code == 200
    assert response.context["membership"] is None
    assertContains(response, 'id="no-company"')
    assertNotContains(response, 'id="company-form"')


def test_logout_is_post_only(client_as, member_a):
    client = client_as(member_a)

    assert client.get("/logout/").status_code == 405
    assert client.session.get("_auth_user_id") == str(member_a.pk)

    response = client.post("/logout/")
    assertRedirects(response, "/", fetch_redirect_response=False)
    assert "_auth_user_id" not in client.session


def test_signed_in_user_is_sent_from_signup_to_my_company(client_as, member_a):
    response = client_as(member_a).get(reverse("frontend:signup"))

    assertRedirects(response, "/my-company/", fetch_redirect_response=False)


def test_url_names_used_by_tasks_and_settings():
    assert reverse("frontend:home") == "/"
    assert reverse("frontend:login") == "/login/"
    assert reverse("frontend:my_company") == "/my-company/"
    assert reverse("frontend:invite_accept", args=["abc"]) == "/invites/abc/"
    assert reverse("frontend:password_reset_confirm", args=["MQ", "tok-en"]) == "/password-reset/MQ/tok-en/"
