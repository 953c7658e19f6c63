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


@pytest.mark.parametrize("value", ["49", "30001", "-1", "soon"])
def test_a_search_time_limit_out_of_bounds_stops_the_process(production_env, value):
    production_env["SEARCH_STATEMENT_TIMEOUT_MS"] = value

    result = check_deploy(production_env)

    assert result.returncode != 0
    assert "SEARCH_STATEMENT_TIMEOUT_MS must be" in result.stderr


def test_a_weak_secret_key_fails_the_deploy_check(production_env):
    production_env["DJANGO_SECRET_KEY"] = "short-key"

    result = check_deploy(production_env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


# ---------------------------------------------------------------------------------------------
# Several web nodes: what the settings give them to share (README "Scaling out")

SHOW = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "databases": {alias: {k: db.get(k) for k in ("HOST", "PORT", "NAME", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
                  | {"connect_timeout": db.get("OPTIONS", {}).get("connect_timeout")}
                  for alias, db in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
    "replica_middleware": [i for i, name in enumerate(settings.MIDDLEWARE) if "db_router" in name],
    "auth_middleware": settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware"),
    "session_middleware": settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "pin_seconds": settings.REPLICA_PIN_SECONDS,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session_engine": settings.SESSION_ENGINE,
    "csrf_use_sessions": settings.CSRF_USE_SESSIONS,
    "default_storage": settings.STORAGES["default"]["BACKEND"],
}))
"""


def show_settings(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SHOW], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def web_node_env(production_env):
    production_env["DATABASE_URL"] = "postgres://u:p@primary.internal:5432/market"
    production_env["REDIS_URL"] = "redis://redis.internal:6379/0"
    return production_env


def test_several_web_nodes_share_sessions_cache_and_csrf_through_the_database_and_redis(web_node_env):
    import json

    result = show_settings(web_node_env)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    # Sessions in the database every node reads (not in a process's memory or a node's files).
    assert shown["session_engine"] == "django.contrib.sessions.backends.db"
    # The CSRF secret travels in a signed cookie: any node with the same SECRET_KEY checks it.
    assert shown["csrf_use_sessions"] is False
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["cache_location"] == "redis://redis.internal:6379/0"
    assert shown["default_storage"] == "django.core.files.storage.FileSystemStorage"
    assert list(shown["databases"]) == ["default"]
    assert shown["routers"] == [] and shown["replica_middleware"] == []


def test_a_replica_url_adds_the_replica_the_router_and_the_middleware(web_node_env):
    import json

    web_node_env["DATABASE_REPLICA_URL"] = "postgres://u:p@replica.internal:5433/market"
    web_node_env["REPLICA_PIN_SECONDS"] = "7"

    result = show_settings(web_node_env)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["databases"]["replica"] == {"HOST": "replica.internal", "PORT": 5433, "NAME": "market",
                                             "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True, "connect_timeout": 2}
    assert shown["databases"]["default"]["HOST"] == "primary.internal"
    assert shown["routers"] == ["core.db_router.PrimaryReplicaRouter"]
    # Right after authentication, inside the session middleware.
    assert shown["replica_middleware"] == [shown["auth_middleware"] + 1]
    assert shown["session_middleware"] < shown["auth_middleware"]
    assert shown["pin_seconds"] == 7

    assert check_deploy(web_node_env).returncode == 0


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DATABASE_REPLICA_URL", "sqlite:////tmp/replica.sqlite3",
     "DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica"),
    ("REPLICA_PIN_SECONDS", "301", "REPLICA_PIN_SECONDS must be within [0, 300]"),
    ("REPLICA_PIN_SECONDS", "-1", "REPLICA_PIN_SECONDS must be within [0, 300]"),
    ("REPLICA_RETRY_SECONDS", "0", "REPLICA_RETRY_SECONDS within [1, 3600]"),
    ("REPLICA_CONNECT_TIMEOUT_SECONDS", "0", "REPLICA_CONNECT_TIMEOUT_SECONDS must be within [1, 60]"),
])
def test_replica_settings_out_of_bounds_stop_the_process(web_node_env, name, value, message):
    web_node_env["DATABASE_REPLICA_URL"] = "postgres://u:p@replica.internal:5433/market"
    web_node_env[name] = value

    result = show_settings(web_node_env)

    assert result.returncode != 0
    assert message in result.stderr
