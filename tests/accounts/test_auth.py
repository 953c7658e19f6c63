"""Registration, session and token sign-in, the sign-in throttle, password reset and password storage."""
from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import authenticate as real_authenticate
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken, LoginThrottle, ThrottleHit, User
from config.settings import base as base_settings
from tests.accounts.helpers import assert_unchanged
from tests.core.helpers import assert_error
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
RESET = "/api/v1/auth/password-reset/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"
NEW_PASSWORD = "Velvet-Compass-Mango-84"
WRONG_CREDENTIALS = {"error": {"code": "invalid_credentials", "message": "The e-mail address or password is wrong.",
                               "fields": {"non_field_errors": ["The e-mail address or password is wrong."]}}}
THROTTLED = {"error": {"code": "throttled", "message": "Too many failed sign-in attempts. Try again later."}}


def login(client, email, password, ip="127.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def throttle(key: str) -> int | None:
    row = LoginThrottle.objects.filter(key=key).first()
    return None if row is None else row.failures


def address_accounts(address: str) -> list[str]:
    """The distinct accounts counted against a client address."""
    return sorted(set(ThrottleHit.objects.filter(key=f"ip:{address}").values_list("subject", flat=True)))


# --- registration --------------------------------------------------------------------------------

def test_register_returns_user_and_company_and_signs_nobody_in(api_client):
    body = {"email": "Mixed.Case@Example.com", "password": "Quiet-Harbour-Lamp-73", "full_name": "Rita Registrant",
            "company": {"legal_name": "Delta Tools GmbH", "country": "DE", "registration_number": "HRB-1",
                        "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "seller"}}

    response = api_client.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 201
    user = User.objects.get()
    data = response.json()
    assert data["user"] == {"id": user.pk, "email": "mixed.case@example.com", "full_name": "Rita Registrant",
                            "preferred_language": "en", "is_moderator": False,
                            "date_joined": data["user"]["date_joined"]}
    assert (data["company"]["legal_name"], data["company"]["verification_status"]) == ("Delta Tools GmbH",
                                                                                       "unverified")
    assert "_auth_user_id" not in api_client.session
    assert api_client.get(ME).status_code == 401
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Quiet-Harbour-Lamp-73") is True


# --- session and token sign-in ---------------------------------------------------------------------

def test_login_sets_the_session(api_client, member_a):
    response = login(api_client, member_a.email.upper(), PASSWORD)

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["email"]) == (member_a.pk, member_a.email)
    assert api_client.session["_auth_user_id"] == str(member_a.pk)
    me = api_client.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == member_a.email
    assert [c["legal_name"] for c in me.json()["companies"]] == ["Alpha Textiles"]


def test_logout_ends_the_session(api_client, member_a):
    login(api_client, member_a.email, PASSWORD)

    response = api_client.post("/api/v1/auth/logout/")

    assert response.status_code == 204
    assert "_auth_user_id" not in api_client.session
    assert api_client.get(ME).status_code == 401


def test_token_authenticates_me(api_client, member_a):
    response = api_client.post(TOKEN, {"email": member_a.email, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    key = response.json()["token"]
    token = ApiToken.objects.get(user=member_a)
    assert (token.key_hash, token.prefix, token.name) == (tokens.key_hash(key), key[:12], "API token")
    assert "_auth_user_id" not in api_client.session
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = token_client.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == member_a.email
    again = api_client.post(TOKEN, {"email": member_a.email, "password": PASSWORD}, format="json")
    assert again.json()["token"] != key
    assert ApiToken.objects.filter(user=member_a).count() == 2


@pytest.mark.parametrize("endpoint", [LOGIN, TOKEN])
def test_wrong_password_is_invalid_credentials(api_client, member_a, endpoint):
    with assert_unchanged():
        response = api_client.post(endpoint, {"email": member_a.email, "password": "Wrong-Password-00"},
                                   format="json")

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS
    assert "_auth_user_id" not in api_client.session
    assert ApiToken.objects.count() == 0


def test_unknown_address_gets_the_same_answer(api_client, db):
    response = login(api_client, "nobody@example.com", PASSWORD)

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS


def test_inactive_user_cannot_sign_in(api_client, member_a):
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])

    response = login(api_client, member_a.email, PASSWORD)

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS


# --- the sign-in throttle (details in test_signin.py) ----------------------------------------------

def test_after_the_free_failures_even_the_right_password_is_refused_unchecked(api_client, member_a):
    limit = settings.LOGIN_ACCOUNT_FREE_FAILURES
    with mock.patch("django.contrib.auth.authenticate", wraps=real_authenticate) as spy:
        for _ in range(limit):
            assert login(api_client, member_a.email, "Wrong-Password-00").status_code == 400
        assert spy.call_count == limit

        response = login(api_client, member_a.email, PASSWORD)

    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert response.headers["Retry-After"] == str(settings.LOGIN_ACCOUNT_DELAY_SECONDS)
    assert spy.call_count == limit
    assert "_auth_user_id" not in api_client.session
    assert throttle(f"account:{member_a.email}") == limit
    assert address_accounts("127.0.0.1") == [f"account:{member_a.email}"]


def test_token_endpoint_shares_the_throttle(api_client, member_a):
    for _ in range(settings.LOGIN_ACCOUNT_FREE_FAILURES):
        login(api_client, member_a.email, "Wrong-Password-00")

    response = api_client.post(TOKEN, {"email": member_a.email, "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert ApiToken.objects.count() == 0


def test_the_delay_runs_out(api_client, member_a, time_machine):
    time_machine.move_to("2026-05-04 08:00:00+00:00", tick=False)
    for _ in range(settings.LOGIN_ACCOUNT_FREE_FAILURES):
        login(api_client, member_a.email, "Wrong-Password-00")
    time_machine.shift(timedelta(seconds=settings.LOGIN_ACCOUNT_DELAY_SECONDS - 1))
    assert login(api_client, member_a.email, PASSWORD).status_code == 429

    time_machine.shift(timedelta(seconds=1))
    response = login(api_client, member_a.email, PASSWORD)

    assert response.status_code == 200
    assert api_client.session["_auth_user_id"] == str(member_a.pk)


def test_success_resets_the_account_counter_and_the_address_forgets_the_account(api_client, member_a):
    limit = settings.LOGIN_ACCOUNT_FREE_FAILURES
    for _ in range(limit - 1):
        login(api_client, member_a.email, "Wrong-Password-00")
    assert (throttle(f"account:{member_a.email}"), address_accounts("127.0.0.1")) == (
        limit - 1, [f"account:{member_a.email}"])

    assert login(api_client, member_a.email, PASSWORD).status_code == 200

    assert (throttle(f"account:{member_a.email}"), address_accounts("127.0.0.1")) == (0, [])
    assert login(APIClient(), member_a.email, "Wrong-Password-00", ip="10.9.9.9").status_code == 400
    assert throttle(f"account:{member_a.email}") == 1


def test_throttle_is_per_account(api_client, member_a, member_b):
    limit = settings.LOGIN_ACCOUNT_FREE_FAILURES
    for n in range(limit):
        assert login(api_client, member_a.email, "Wrong-Password-00", ip=f"10.0.0.{n + 1}").status_code == 400

    blocked = login(api_client, member_a.email, PASSWORD, ip="10.0.1.1")
    other_account = login(api_client, member_b.email, PASSWORD, ip="10.0.1.2")

    assert blocked.status_code == 429
    assert other_account.status_code == 200
    assert other_account.json()["email"] == member_b.email


def test_throttle_is_per_client_address_counting_distinct_accounts(api_client, member_a):
    limit = settings.LOGIN_ADDRESS_MAX_ACCOUNTS
    for n in range(limit):
        assert login(api_client, f"guess{n}@example.com", "Wrong-Password-00", ip="10.0.0.66").status_code == 400

    blocked = login(api_client, member_a.email, PASSWORD, ip="10.0.0.66")
    elsewhere = login(api_client, member_a.email, PASSWORD, ip="10.0.0.77")

    assert blocked.status_code == 429
    assert elsewhere.status_code == 200


def test_a_blocked_address_does_not_spend_account_budgets(api_client, member_a):
    for n in range(settings.LOGIN_ADDRESS_MAX_ACCOUNTS):
        login(api_client, f"guess{n}@example.com", "Wrong-Password-00", ip="10.0.0.66")

    for _ in range(settings.LOGIN_ACCOUNT_FREE_FAILURES + 2):
        assert login(api_client, member_a.email, "Wrong-Password-00", ip="10.0.0.66").status_code == 429

    assert throttle(f"account:{member_a.email}") is None
    assert login(api_client, member_a.email, PASSWORD, ip="10.0.0.77").status_code == 200


def test_forwarded_address_is_ignored_unless_proxies_are_trusted(api_client, member_a, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    api_client.post(LOGIN, {"email": "x@example.com", "password": "nope-nope-nope"}, format="json",
                    REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (address_accounts("10.1.1.1"), address_accounts("203.0.113.9")) == (["account:x@example.com"], [])

    settings.TRUSTED_PROXY_HOPS = 1
    api_client.post(LOGIN, {"email": "y@example.com", "password": "nope-nope-nope"}, format="json",
                    REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert (address_accounts("10.1.1.1"), address_accounts("203.0.113.9")) == (["account:x@example.com"],
                                                                               ["account:y@example.com"])


# --- password reset --------------------------------------------------------------------------------

def reset_body(user, new_password: str) -> dict:
    return {"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
            "new_password": new_password}


def reset_link(message) -> tuple[str, str]:
    match = re.search(r"/password-reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/", message.body)
    assert match is not None, message.body
    return match["uid"], match["token"]


def test_reset_for_an_unknown_address_says_202_and_sends_nothing(api_client, member_a,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")

    assert response.status_code == 202
    assert response.content == b""
    assert (callbacks, mail.outbox) == ([], [])


def test_reset_for_an_inactive_user_sends_nothing(api_client, member_a, django_capture_on_commit_callbacks):
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(RESET, {"email": member_a.email}, format="json")

    assert response.status_code == 202
    assert mail.outbox == []


def test_reset_link_works_once(api_client, member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(RESET, {"email": member_a.email.upper()}, format="json")

    assert response.status_code == 202
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert (mail.outbox[0].to, mail.outbox[0].subject) == ([member_a.email], "Reset your SME Market password")
    uid, token = reset_link(mail.outbox[0])

    first = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}, format="json")

    assert first.status_code == 204
    member_a.refresh_from_db()
    assert member_a.check_password(NEW_PASSWORD) is True
    assert member_a.password.startswith("argon2$")
    with assert_unchanged():
        second = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "Another-Fresh-Pass-19"},
                                 format="json")
    assert_error(second, 400, "invalid_token", fields={"token": [
        "This password reset link is invalid or has expired."]})
    assert login(api_client, member_a.email, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(("uid", "token"), [
    ("good", "bad-token"),
    ("!!!", "good"),
    ("OTk5OTk5", "good"),
])
def test_reset_with_a_bad_link_is_refused(api_client, member_a, uid, token):
    body = reset_body(member_a, NEW_PASSWORD)
    if uid != "good":
        body["uid"] = uid
    if token != "good":
        body["token"] = token

    with assert_unchanged():
        response = api_client.post(CONFIRM, body, format="json")

    assert_error(response, 400, "invalid_token", message="This password reset link is invalid or has expired.",
                 fields={"token": ["This password reset link is invalid or has expired."]})
    member_a.refresh_from_db()
    assert member_a.check_password(PASSWORD) is True


def test_reset_validates_the_new_password(api_client, member_a):
    body = reset_body(member_a, "password123")

    with assert_unchanged():
        response = api_client.post(CONFIRM, body, format="json")

    assert_error(response, 400, "validation_error", fields={"new_password": ["This password is too common."]})
    member_a.refresh_from_db()
    assert member_a.check_password(PASSWORD) is True
    retry = api_client.post(CONFIRM, {**body, "new_password": NEW_PASSWORD}, format="json")
    assert retry.status_code == 204


def test_reset_clears_the_account_throttle(api_client, member_a):
    for _ in range(settings.LOGIN_ACCOUNT_FREE_FAILURES):
        login(api_client, member_a.email, "Wrong-Password-00", ip="10.3.3.3")

    response = api_client.post(CONFIRM, reset_body(member_a, NEW_PASSWORD), format="json")

    assert response.status_code == 204

    assert throttle(f"account:{member_a.email}") == 0
    assert login(api_client, member_a.email, NEW_PASSWORD, ip="10.4.4.4").status_code == 200


# --- password storage and rules -------------------------------------------------------------------

def test_passwords_are_stored_with_argon2(db):
    user = UserFactory()

    assert user.password.startswith("argon2$argon2id$")
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_base_settings_refuse_common_short_numeric_and_similar_passwords():
    assert [v["NAME"].rsplit(".", 1)[1] for v in base_settings.AUTH_PASSWORD_VALIDATORS] == [
        "UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator",
        "NumericPasswordValidator"]
    assert base_settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] == {"min_length": 10}
