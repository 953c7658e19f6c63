"""Webhook secrets are encrypted at rest with the keys of WEBHOOK_SECRET_KEYS (or a key derived from
SECRET_KEY), readable in Python, rotatable, and shown once."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications import checks
from notifications.encryption import SecretUnreadable, derived_key
from notifications.models import WebhookEndpoint
from notifications.webhooks import secret_generate
from tests.factories.accounts import CompanyFactory

KEY_1 = Fernet.generate_key().decode()
KEY_2 = Fernet.generate_key().decode()
WEBHOOKS = "/api/v1/webhooks/"


def _stored(endpoint_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhookendpoint WHERE id = %s", [endpoint_id])
        return cursor.fetchone()[0]


def _endpoint(company, secret: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(company=company, url="https://erp.alpha.example/hooks", secret=secret,
                                          events=["listing.decided"])


@pytest.mark.django_db
def test_the_secret_is_stored_encrypted_with_the_key_derived_from_secret_key(company_a, settings):
    settings.WEBHOOK_SECRET_KEYS = []
    plain = secret_generate()
    endpoint = _endpoint(company_a, plain)

    stored = _stored(endpoint.pk)
    assert plain not in stored and stored.startswith("gAAAAA")
    assert Fernet(derived_key(settings.SECRET_KEY)).decrypt(stored.encode()).decode() == plain
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == plain
    assert WebhookEndpoint.objects.values_list("secret", flat=True).get(pk=endpoint.pk) == plain


@pytest.mark.django_db
def test_keys_rotate_without_losing_a_secret(company_a, settings):
    settings.WEBHOOK_SECRET_KEYS = [KEY_1]
    endpoint = _endpoint(company_a, "whsec_rotate_me")
    assert Fernet(KEY_1).decrypt(_stored(endpoint.pk).encode()) == b"whsec_rotate_me"

    # A new key first: old secrets still read, then re-encryption moves them to the new key.
    settings.WEBHOOK_SECRET_KEYS = [KEY_2, KEY_1]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "whsec_rotate_me"
    call_command("webhook_secrets_reencrypt", stdout=open("/dev/null", "w"))
    assert Fernet(KEY_2).decrypt(_stored(endpoint.pk).encode()) == b"whsec_rotate_me"

    settings.WEBHOOK_SECRET_KEYS = [KEY_2]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "whsec_rotate_me"

    settings.WEBHOOK_SECRET_KEYS = [KEY_1]  # the removed key cannot read what the new one wrote
    with pytest.raises(SecretUnreadable):
        WebhookEndpoint.objects.get(pk=endpoint.pk)


@pytest.mark.django_db
def test_the_api_shows_the_secret_once_and_stores_it_encrypted(as_user, company_a, member_a):
    response = as_user(member_a).post(WEBHOOKS, {"url": "https://erp.alpha.example/hooks",
                                                 "events": ["listing.decided"]}, format="json")

    assert response.status_code == 201
    secret = response.json()["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and endpoint.secret == secret
    assert secret not in _stored(endpoint.pk)
    assert "secret" not in as_user(member_a).get(f"{WEBHOOKS}{endpoint.pk}/").json()

    rotated = as_user(member_a).post(f"{WEBHOOKS}{endpoint.pk}/rotate-secret/").json()["secret"]
    endpoint.refresh_from_db()
    assert rotated == endpoint.secret != secret
    assert rotated not in _stored(endpoint.pk)


def test_deploy_check_warns_when_no_key_is_set(settings):
    settings.WEBHOOK_SECRET_KEYS = []
    assert [w.id for w in checks.webhook_secret_keys_set_check(None)] == ["notifications.W001"]

    settings.WEBHOOK_SECRET_KEYS = [KEY_1]
    assert checks.webhook_secret_keys_set_check(None) == []


def test_a_key_that_is_not_a_fernet_key_is_an_error(settings):
    settings.WEBHOOK_SECRET_KEYS = [KEY_1, "not-a-key"]

    errors = checks.webhook_secret_keys_check(None)

    assert [e.id for e in errors] == ["notifications.E003"]
    assert errors[0].msg == "WEBHOOK_SECRET_KEYS: key 2 is not a Fernet key (32 bytes, URL-safe base64)."
    settings.WEBHOOK_SECRET_KEYS = [KEY_1]
    assert checks.webhook_secret_keys_check(None) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_secrets_already_stored(settings):
    settings.WEBHOOK_SECRET_KEYS = [KEY_1]
    before = [("notifications", "0001_initial")]
    after = [("notifications", "0002_webhook_secret_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    company = CompanyFactory()  # only notifications is rolled back; accounts is as today
    old = apps.get_model("notifications", "WebhookEndpoint").objects.create(
        company_id=company.pk, url="https://erp.old.example/hooks", secret="whsec_plain_old", events=["listing.decided"])
    assert _stored(old.pk) == "whsec_plain_old"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    assert Fernet(KEY_1).decrypt(_stored(old.pk).encode()) == b"whsec_plain_old"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)  # and back
    assert _stored(old.pk) == "whsec_plain_old"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert WebhookEndpoint.objects.get(pk=old.pk).secret == "whsec_plain_old"
