"""Sign-in protection: the account's growing delay, known devices, the per-address count of distinct
accounts in a sliding window, the admin login, and the limits on password reset and registration."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from rest_framework.test import APIClient

from accounts import signin
from accounts.models import LoginThrottle, ThrottleHit, User
from tests.core.helpers import assert_error
from tests.factories.accounts import PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
WRONG = "Wrong-Password-00"
START = "2026-05-04 08:00:00+00:00"


def login(client, email, password, ip="127.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def fail(client, email, times, ip="127.0.0.1"):
    for _ in range(times):
        assert login(client, email, WRONG, ip=ip).status_code == 400


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def test_delay_doubles_per_failure_and_is_capped(settings):
    settings.LOGIN_ACCOUNT_FREE_FAILURES = 3
    settings.LOGIN_ACCOUNT_DELAY_SECONDS = 10
    settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 60

    assert [signin.account_delay_seconds(n) for n in range(0, 9)] == [0, 0, 0, 10, 20, 40, 60, 60, 60]
    assert signin.account_delay_seconds(10_000) == 60


def test_each_failure_after_the_free_ones_doubles_the_wait(api_client, owner, frozen):
    free, base = settings.LOGIN_ACCOUNT_FREE_FAILURES, settings.LOGIN_ACCOUNT_DELAY_SECONDS
    fail(api_client, owner.email, free)
    assert login(api_client, owner.email, PASSWORD).headers["Retry-After"] == str(base)

    frozen.shift(timedelta(seconds=base))
    fail(api_client, owner.email, 1)
    refused = login(api_client, owner.email, PASSWORD)

    assert_error(refused, 429, "throttled", message="Too many failed sign-in attempts. Try again later.")
    assert refused.headers["Retry-After"] == str(2 * base)
    row = LoginThrottle.objects.get(key="account:owner@example.com")
    assert (row.failures, row.next_allowed_at.isoformat()) == (free + 1, "2026-05-04T08:01:30+00:00")


def test_old_failures_are_forgotten(api_client, owner, frozen):
    fail(api_client, owner.email, settings.LOGIN_ACCOUNT_FREE_FAILURES)
    frozen.shift(timedelta(seconds=settings.LOGIN_ACCOUNT_FORGET_SECONDS + 1))

    assert login(api_client, owner.email, WRONG).status_code == 400

    assert LoginThrottle.objects.get(key="account:owner@example.com").failures == 1


def test_a_known_device_signs_in_while_the_account_is_held(owner, frozen):
    browser = APIClient()
    assert login(browser, owner.email, PASSWORD).status_code == 200
    cookie = browser.cookies[settings.LOGIN_DEVICE_COOKIE_NAME]
    assert (cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (
        True, "Lax", settings.LOGIN_DEVICE_COOKIE_DAYS * 86400)
    attacker = APIClient()
    for n in range(settings.LOGIN_ACCOUNT_FREE_FAILURES + 3):
        login(attacker, owner.email, WRONG, ip=f"198.51.100.{n + 1}")
    assert login(APIClient(), owner.email, PASSWORD, ip="192.0.2.10").status_code == 429

    response = login(browser, owner.email, PASSWORD, ip="192.0.2.10")

    assert response.status_code == 200
    assert response.json()["email"] == owner.email
    # The owner's sign-in does not give the attacker fresh free guesses.
    assert login(attacker, owner.email, WRONG, ip="198.51.100.99").status_code == 429


def test_a_device_cookie_of_another_account_or_forged_does_not_help(owner, frozen):
    other = UserFactory(email="other@example.com")
    browser = APIClient()
    assert login(browser, other.email, PASSWORD).status_code == 200
    fail(APIClient(), owner.email, settings.LOGIN_ACCOUNT_FREE_FAILURES, ip="198.51.100.1")

    assert login(browser, owner.email, PASSWORD).status_code == 429
    forged = APIClient()
    forged.cookies[settings.LOGIN_DEVICE_COOKIE_NAME] = '{"e": "owner@example.com", "d": "x"}'
    assert login(forged, owner.email, PASSWORD).status_code == 429
    assert signin.device_id_from_cookie(signin.device_cookie_value(email=other.email), email=owner.email) is None


def test_a_known_device_has_its_own_delay(owner, frozen):
    browser = APIClient()
    assert login(browser, owner.email, PASSWORD).status_code == 200

    fail(browser, owner.email, settings.LOGIN_ACCOUNT_FREE_FAILURES)

    assert login(browser, owner.email, PASSWORD).status_code == 429
    assert LoginThrottle.objects.get(key="account:owner@example.com").failures == 0
    assert login(APIClient(), owner.email, PASSWORD).status_code == 200


def test_typos_of_one_office_count_once_per_account(api_client, owner, frozen):
    colleagues = [UserFactory(email=f"colleague{n}@example.com") for n in range(3)]
    for colleague in colleagues:
        fail(api_client, colleague.email, 3, ip="192.0.2.10")

    assert sorted(set(ThrottleHit.objects.filter(key="ip:192.0.2.10").values_list("subject", flat=True))) == [
        f"account:{c.email}" for c in colleagues]
    assert login(api_client, owner.email, PASSWORD, ip="192.0.2.10").status_code == 200


def test_the_address_window_slides(api_client, owner, frozen):
    limit, window = settings.LOGIN_ADDRESS_MAX_ACCOUNTS, settings.LOGIN_ADDRESS_WINDOW_SECONDS
    login(api_client, "first@example.com", WRONG, ip="203.0.113.5")
    frozen.shift(timedelta(seconds=60))
    for n in range(limit - 1):
        login(api_client, f"guess{n}@example.com", WRONG, ip="203.0.113.5")

    refused = login(api_client, owner.email, PASSWORD, ip="203.0.113.5")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(window - 60)
    # An account already counted may still be tried (its own delay holds it).
    assert login(api_client, "guess0@example.com", WRONG, ip="203.0.113.5").status_code == 400

    frozen.shift(timedelta(seconds=window - 60))
    assert login(api_client, owner.email, PASSWORD, ip="203.0.113.5").status_code == 200


def test_admin_login_is_throttled_with_the_api(client, frozen):
    admin = AdminFactory(email="root@example.com")
    for _ in range(settings.LOGIN_ACCOUNT_FREE_FAILURES):
        response = client.post("/admin/login/", {"username": admin.email, "password": WRONG})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed sign-in attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginThrottle.objects.get(key="account:root@example.com").failures == settings.LOGIN_ACCOUNT_FREE_FAILURES
    assert login(APIClient(), admin.email, PASSWORD).status_code == 429


def test_admin_login_succeeds_and_remembers_the_device(client):
    admin = AdminFactory(email="root@example.com")

    response = client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert settings.LOGIN_DEVICE_COOKIE_NAME in response.cookies


def test_admin_login_refuses_a_non_staff_user_after_the_throttle(client, owner):
    response = client.post("/admin/login/", {"username": owner.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- password reset and registration limits -------------------------------------------------------

RESET = "/api/v1/auth/password-reset/"


def test_password_reset_is_limited_per_email(api_client, owner, django_capture_on_commit_callbacks):
    limit = settings.PASSWORD_RESET_MAX_PER_EMAIL
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(limit):
            assert api_client.post(RESET, {"email": owner.email}, REMOTE_ADDR=f"10.0.0.{n}").status_code == 202
        refused = api_client.post(RESET, {"email": owner.email.upper()}, REMOTE_ADDR="10.0.9.9")

    assert_error(refused, 429, "throttled", message="Too many password reset requests. Try again later.")
    assert int(refused.headers["Retry-After"]) == settings.RATE_LIMIT_WINDOW_SECONDS
    assert len(mail.outbox) == limit


def test_password_reset_is_limited_per_address(api_client, db, settings):
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 2
    assert api_client.post(RESET, {"email": "a@example.com"}, REMOTE_ADDR="10.0.0.1").status_code == 202
    assert api_client.post(RESET, {"email": "b@example.com"}, REMOTE_ADDR="10.0.0.1").status_code == 202

    assert api_client.post(RESET, {"email": "c@example.com"}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api_client.post(RESET, {"email": "c@example.com"}, REMOTE_ADDR="10.0.0.2").status_code == 202


def test_rate_limit_window_slides(db, frozen):
    assert signin.rate_limit_take("k", limit=2, window_seconds=100) is None
    frozen.shift(timedelta(seconds=40))
    assert signin.rate_limit_take("k", limit=2, window_seconds=100) is None
    assert signin.rate_limit_take("k", limit=2, window_seconds=100) == 60

    frozen.shift(timedelta(seconds=60))
    assert signin.rate_limit_take("k", limit=2, window_seconds=100) is None
    assert signin.rate_limit_take("k", limit=2, window_seconds=100) == 40
    assert ThrottleHit.objects.filter(key="k").count() == 2


def register_body(n: int) -> dict:
    return {"email": f"new{n}@example.com", "password": "Quiet-Harbour-Lamp-73", "full_name": "Rita Registrant",
            "company": {"legal_name": f"Delta Tools {n}", "country": "DE", "registration_number": f"HRB-{n}",
                        "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "seller"}}


def test_registration_is_limited_per_address(api_client, db, settings):
    settings.REGISTRATION_MAX_PER_ADDRESS = 2
    for n in range(2):
        assert api_client.post("/api/v1/auth/register/", register_body(n), REMOTE_ADDR="10.0.0.1").status_code == 201

    refused = api_client.post("/api/v1/auth/register/", register_body(2), REMOTE_ADDR="10.0.0.1")

    assert_error(refused, 429, "throttled", message="Too many registrations from this address. Try again later.")
    assert User.objects.count() == 2
    assert api_client.post("/api/v1/auth/register/", register_body(3), REMOTE_ADDR="10.0.0.2").status_code == 201


def test_purge_deletes_only_hits_older_than_the_windows(db, frozen):
    from accounts.tasks import throttle_hits_purge

    ThrottleHit.objects.create(key="ip:1", subject="account:a", at=frozen_now() - timedelta(days=1))
    kept = ThrottleHit.objects.create(key="ip:1", subject="account:b", at=frozen_now())

    assert throttle_hits_purge() == 1
    assert list(ThrottleHit.objects.values_list("pk", flat=True)) == [kept.pk]


def frozen_now():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.parametrize("email", ["0" * 254, "x" * 240 + "@example.com"])
def test_a_long_made_up_address_is_refused_as_wrong_not_a_server_error(api_client, email):
    for _ in range(2):
        response = api_client.post("/api/v1/auth/login/", {"email": email, "password": "wrong"}, format="json")

        assert response.status_code == 400
        assert response.json()["error"]["code"] in {"invalid_credentials", "validation_error"}


def test_long_addresses_get_a_key_that_fits_the_column():
    from accounts.signin import account_key

    assert account_key("Ayse@Example.com ") == "account:ayse@example.com"
    long_key = account_key("y" * 250 + "@example.com")
    assert len(long_key) <= 200 and long_key.startswith("account:sha256:")
    assert long_key == account_key("Y" * 250 + "@example.com")
