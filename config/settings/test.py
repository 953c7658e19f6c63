"""Test runs. SQLite in memory unless DATABASE_URL points elsewhere (CI sets PostgreSQL)."""
import os
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import env_str, mailers_from_env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789-abcdefghijklmnop"
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# No replica in tests, even with DATABASE_REPLICA_URL set: the test database is created on the
# primary only. The replica test (tests/integration/test_replica.py) points an alias at the test
# database's copy on the replica and installs the router and its middleware itself.
DATABASES.pop("replica", None)  # noqa: F405
DATABASE_ROUTERS: list[str] = []
MIDDLEWARE = [name for name in MIDDLEWARE if name != "core.db_router.ReplicaReadMiddleware"]  # noqa: F405
# Argon2 stays the algorithm; the test hasher only lowers its cost so the suite stays fast.
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
MAILERS = mailers_from_env("django.core.mail.backends.locmem.EmailBackend")
# Unit tests run tasks in-process; integration tests switch this off and start a real worker.
CELERY_TASK_ALWAYS_EAGER = env_str("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", "/tmp/sme-market-test-media"))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", "/tmp/sme-market-test-private"))
# Lets tests receive webhooks on a local plain-HTTP server.
WEBHOOKS_ALLOW_LOOPBACK = True
