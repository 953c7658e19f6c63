"""API tokens: hashed, named, expiring, listed and revoked by their owner; logout and password reset
revoke them; a missing or bad token is a 401 with a challenge; DRF's old keys keep working."""
from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken
from tests.core.helpers import assert_error
from tests.factories.accounts import PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/me/"
START = "2026-05-04 08:00:00+00:00"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def user(db):
    return UserFactory(email="erp@example.com")


def test_only_the_hash_and_a_prefix_are_stored(user, time_machine):
    time_machine.move_to(START, tick=False)

    token, secret = tokens.token_create(user=user, name="ERP")

    assert secret.startswith("smk_") and len(secret) > 40
    token.refresh_from_db()
    assert (token.prefix, token.key_hash, token.name) == (secret[:12], tokens.key_hash(secret), "ERP")
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert (token.created_at.isoformat(), token.expires_at.isoformat()) == ("2026-05-04T08:00:00+00:00",
                                                                            "2026-08-02T08:00:00+00:00")


def test_create_list_and_revoke_through_the_api(user):
    client = APIClient()
    client.force_authenticate(user)

    created = client.post(TOKENS, {"name": "Nightly sync", "expires_in_days": 7}, format="json")

    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "token"}
    listed = client.get(TOKENS).json()["results"]
    assert [(row["id"], row["name"], row["prefix"]) for row in listed] == [(body["id"], "Nightly sync",
                                                                           body["token"][:12])]
    assert "token" not in listed[0]
    assert bearer(body["token"]).get(ME).json()["email"] == user.email

    assert client.delete(f"{TOKENS}{body['id']}/").status_code == 204

    assert_error(bearer(body["token"]).get(ME), 401, "authentication_failed",
                 message="Invalid, expired or revoked token.")
    assert client.get(TOKENS).json()["results"][0]["revoked_at"] is not None


@pytest.mark.parametrize(("body", "fields"), [
    ({"name": "x", "expires_in_days": 0}, {"expires_in_days": ["Ensure this value is greater than or equal to 1."]}),
    ({"name": "x", "expires_in_days": 366}, {"expires_in_days": ["Choose between 1 and 365 days."]}),
    ({"name": "   "}, {"name": ["This field may not be blank."]}),
    ({"name": "x", "key_hash": "0" * 64}, {"key_hash": ["This field cannot be set."]}),
])
def test_bad_token_input_is_a_400(user, body, fields):
    client = APIClient()
    client.force_authenticate(user)

    response = client.post(TOKENS, body, format="json")

    assert_error(response, 400, "validation_error", fields=fields)
    assert ApiToken.objects.count() == 0


def test_the_number_of_live_tokens_is_bounded(user, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    client = APIClient()
    client.force_authenticate(user)
    first = client.post(TOKENS, {"name": "a"}, format="json").json()
    client.post(TOKENS, {"name": "b"}, format="json")

    refused = client.post(TOKENS, {"name": "c"}, format="json")

    assert_error(refused, 409, "too_many_tokens", message="You have 2 live tokens, the most allowed. Revoke one first.")
    client.delete(f"{TOKENS}{first['id']}/")
    assert client.post(TOKENS, {"name": "c"}, format="json").status_code == 201


def test_someone_elses_token_cannot_be_revoked(user):
    token, secret = tokens.token_create(user=user, name="ERP")
    other = APIClient()
    other.force_authenticate(UserFactory())

    assert_error(other.delete(f"{TOKENS}{token.pk}/"), 404, "not_found")
    assert bearer(secret).get(ME).status_code == 200


def test_an_expired_token_is_refused(user, time_machine):
    time_machine.move_to(START, tick=False)
    _token, secret = tokens.token_create(user=user, name="ERP", expires_in_days=1)
    assert bearer(secret).get(ME).status_code == 200

    time_machine.shift(timedelta(days=1))

    response = bearer(secret).get(ME)
    assert_error(response, 401, "authentication_failed")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_last_used_is_written_at_most_once_a_minute(user, time_machine):
    time_machine.move_to(START, tick=False)
    token, secret = tokens.token_create(user=user, name="ERP")
    bearer(secret).get(ME)
    time_machine.shift(timedelta(seconds=59))
    bearer(secret).get(ME)
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-05-04T08:00:00+00:00"

    time_machine.shift(timedelta(seconds=1))
    bearer(secret).get(ME)

    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-05-04T08:01:00+00:00"


def test_a_token_of_an_inactive_user_is_refused(user):
    _token, secret = tokens.token_create(user=user, name="ERP")
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert bearer(secret).get(ME).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Token"])
def test_a_malformed_header_is_a_401(user, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert_error(response, 401, "authentication_failed")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_logout_revokes_the_token_used_and_no_other(user):
    used, used_secret = tokens.token_create(user=user, name="used")
    _other, other_secret = tokens.token_create(user=user, name="other")

    assert bearer(used_secret).post("/api/v1/auth/logout/").status_code == 204

    assert bearer(used_secret).get(ME).status_code == 401
    assert bearer(other_secret).get(ME).status_code == 200
    assert list(ApiToken.objects.filter(revoked_at__isnull=False).values_list("name", flat=True)) == ["used"]


def test_password_reset_revokes_every_token(user, api_client):
    _a, secret_a = tokens.token_create(user=user, name="a")
    _b, secret_b = tokens.token_create(user=user, name="b")
    body = {"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
            "new_password": "Velvet-Compass-Mango-84"}

    assert api_client.post("/api/v1/auth/password-reset/confirm/", body, format="json").status_code == 204

    assert [bearer(s).get(ME).status_code for s in (secret_a, secret_b)] == [401, 401]
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0


def test_the_token_endpoint_takes_a_name_and_an_expiry(user, api_client):
    response = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, "name": "SAP",
                                                       "expires_in_days": 10}, format="json")

    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    assert (token.name, (token.expires_at - token.created_at).days) == ("SAP", 10)
    assert tokens.key_hash(response.json()["token"]) == token.key_hash


def test_admin_lists_tokens_without_any_key(client, user):
    token, secret = tokens.token_create(user=user, name="ERP")
    client.force_login(AdminFactory())

    changelist = client.get("/admin/accounts/apitoken/").content.decode()
    change = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()

    assert "ERP" in changelist and token.prefix in changelist
    for page in (changelist, change):
        assert secret not in page
        assert token.key_hash not in page


def test_drf_keys_become_hashed_tokens_that_keep_working(user):
    migration = importlib.import_module("accounts.migrations.0005_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
                       "user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                       ["0123456789abcdef0123456789abcdef01234567", "2025-01-01 00:00:00", user.pk])
    try:
        migration.copy_drf_tokens(django_apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone() == (0,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")

    token = ApiToken.objects.get()
    assert (token.user, token.prefix, token.revoked_at) == (user, "01234567", None)
    response = APIClient().get(ME, HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_a_password_set_in_the_admin_revokes_the_users_tokens(client, user):
    _token, secret = tokens.token_create(user=user, name="ERP")
    client.force_login(AdminFactory())

    response = client.post(f"/admin/accounts/user/{user.pk}/password/",
                           {"password1": "Velvet-Compass-Mango-84", "password2": "Velvet-Compass-Mango-84"})

    assert response.status_code == 302
    assert bearer(secret).get(ME).status_code == 401


def test_changing_ones_own_password_in_the_admin_revokes_ones_tokens(client):
    admin = AdminFactory()
    _token, secret = tokens.token_create(user=admin, name="ERP")
    client.force_login(admin)

    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "Velvet-Compass-Mango-84",
        "new_password2": "Velvet-Compass-Mango-84"})

    assert response.status_code == 302
    assert bearer(secret).get(ME).status_code == 401
