"""Log in, throttling, log out and password reset through the pages."""
import re

import pytest
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import LoginThrottle
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "The e-mail address or password is wrong."
THROTTLED = "Too many failed sign-in attempts. Try again later."


@pytest.fixture
def user(db):
    return UserFactory(email="deniz@example.com", full_name="Deniz Aydın")


def test_login_page_renders(client):
    response = client.get("/login/")

    assert response.status_code == 200
    assertContains(response, '<form id="login-form"')
    assertContains(response, 'name="email"', count=1)
    assertContains(response, 'name="password"', count=1)


def test_login_success_goes_to_the_dashboard(client, user):
    response = client.post("/login/", {"email": "Deniz@Example.com", "password": PASSWORD})

    assertRedirects(response, "/dashboard/", fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert list(LoginThrottle.objects.order_by("key").values_list("key", "failures")) == [
        ("account:deniz@example.com", 0), ("ip:127.0.0.1", 0)]


def test_login_follows_a_local_next_only(client, user):
    response = client.post("/login/", {"email": user.email, "password": PASSWORD, "next": "/companies/7/"})
    assertRedirects(response, "/companies/7/", fetch_redirect_response=False)

    client.post("/logout/")
    response = client.post("/login/", {"email": user.email, "password": PASSWORD,
                                       "next": "https://evil.example/steal"})
    assertRedirects(response, "/dashboard/", fetch_redirect_response=False)


def test_login_page_keeps_next_from_the_query(client):
    response = client.get("/login/?next=/moderation/companies/")

    assertContains(response, '<input type="hidden" name="next" value="/moderation/companies/">', html=True)


def test_login_failure_shows_message_and_signs_nobody_in(client, user):
    response = client.post("/login/", {"email": user.email, "password": "not-the-password-1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG]
    assertContains(response, f'<ul class="errorlist nonfield"><li>{WRONG}</li></ul>', html=True)
    assert "_auth_user_id" not in client.session
    assert LoginThrottle.objects.get(key="account:deniz@example.com").failures == 1


def test_login_for_unknown_address_shows_the_same_message(client):
    response = client.post("/login/", {"email": "nobody@example.com", "password": "whatever-123"})

    assert response.context["form"].non_field_errors() == [WRONG]


def test_login_form_errors_do_not_reach_the_service(client, user):
    response = client.post("/login/", {"email": "not-an-address", "password": ""})

    assert response.context["form"].errors == {"email": ["Enter a valid email address."],
                                               "password": ["This field is required."]}
    assert LoginThrottle.objects.count() == 0


def test_throttling_after_five_failures(client, user):
    for _attempt in range(5):
        response = client.post("/login/", {"email": user.email, "password": "not-the-password-1"})
        assert response.context["form"].non_field_errors() == [WRONG]

    response = client.post("/login/", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [THROTTLED]
    assertContains(response, THROTTLED, status_code=429)
    assert "_auth_user_id" not in client.session
    assert LoginThrottle.objects.get(key="account:deniz@example.com").failures == 5


def test_already_signed_in_user_is_sent_on(client_as, user):
    response = client_as(user).get("/login/")

    assertRedirects(response, "/dashboard/", fetch_redirect_response=False)


def test_password_reset_request_for_known_address_sends_a_link(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/password-reset/", {"email": "deniz@example.com"})

    assert response.status_code == 200
    assertContains(response, "If an account with this e-mail address exists, we have sent it a link")
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["deniz@example.com"]
    assert mail.outbox[0].subject == "Reset your SME Market password"
    assert re.search(r"http://127\.0\.0\.1:8000/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body)


def test_password_reset_request_for_unknown_address_says_the_same(client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/password-reset/", {"email": "nobody@example.com"})

    assertContains(response, "If an account with this e-mail address exists, we have sent it a link")
    assertNotContains(response, 'id="password-reset-form"')
    assert callbacks == []
    assert mail.outbox == []


@pytest.fixture
def reset_path(client, django_capture_on_commit_callbacks):
    """Returns a function that asks for a reset e-mail and gives back the link's path."""

    def _path(user) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/password-reset/", {"email": user.email})
        return re.search(r"http://127\.0\.0\.1:8000(/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[-1].body).group(1)

    return _path


def test_password_reset_confirm_sets_the_new_password(client, user, reset_path):
    path = reset_path(user)
    assert client.get(path).status_code == 200

    response = client.post(path, {"new_password1": "Fresh-Tulip-Garden-88", "new_password2": "Fresh-Tulip-Garden-88"})

    assertRedirects(response, "/login/", fetch_redirect_response=False)
    user.refresh_from_db()
    assert user.check_password("Fresh-Tulip-Garden-88")
    again = client.post(path, {"new_password1": "Other-Tulip-Garden-99", "new_password2": "Other-Tulip-Garden-99"})
    assert again.context["form"].non_field_errors() == ["This password reset link is invalid or has expired."]


def test_password_reset_confirm_with_bad_token_changes_nothing(client, user):
    response = client.post("/password-reset/MQ/bad-token/",
                           {"new_password1": "Fresh-Tulip-Garden-88", "new_password2": "Fresh-Tulip-Garden-88"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This password reset link is invalid or has expired."]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(("first", "second", "errors"), [
    ("Fresh-Tulip-Garden-88", "Fresh-Tulip-Garden-89", {"new_password2": ["The two passwords do not match."]}),
    ("password123", "password123", {"new_password1": ["This password is too common."]}),
])
def test_password_reset_confirm_with_bad_password_changes_nothing(client, user, reset_path, first, second, errors):
    path = reset_path(user)

    response = client.post(path, {"new_password1": first, "new_password2": second})

    assert response.context["form"].errors == errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
