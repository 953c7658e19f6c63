"""Production settings: `check --deploy` passes with the required variables and fails loudly without them."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

# Variables that could leak in from the shell or CI and change what production settings see.
CLEARED = ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_DEBUG",
           "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS",
           "DJANGO_CSRF_TRUSTED_ORIGINS", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")


@pytest.fixture
def production_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "market.example.com",
        "DATABASE_URL": "postgres://u:p@localhost:5432/db",
        "WEBHOOK_SECRET_KEYS": Fernet.generate_key().decode(),
        "SME_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180,
    )


def test_check_deploy_passes_with_the_production_variables(production_env):
    result = check_deploy(production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("value", [None, ""])
def test_missing_secret_key_stops_the_process(production_env, value):
    if value is None:
        del production_env["DJANGO_SECRET_KEY"]
    else:
        production_env["DJANGO_SECRET_KEY"] = value

    result = check_deploy(production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DJANGO_ALLOWED_HOSTS", None, "DJANGO_ALLOWED_HOSTS must be set in production"),
    ("DATABASE_URL", None, "DATABASE_URL must be set in production"),
    ("DATABASE_URL", "sqlite:////tmp/db.sqlite3", "production needs a PostgreSQL DATABASE_URL, not SQLite"),
])
def test_other_required_variables(production_env, name, value, message):
    if value is None:
        del production_env[name]
    else:
        production_env[name] = value

    result = check_deploy(production_env)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_a_weak_secret_key_fails_the_deploy_check(production_env):
    production_env["DJANGO_SECRET_KEY"] = "short-key"

    result = check_deploy(production_env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr
