"""The embedded default (`make run`: SQLite and the filesystem broker) is set up to carry 50
notifications a second: the worker polls the broker often and takes several messages per poll, and
SQLite's commits do not wait for the disk. With Redis the worker keeps four messages per process."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0] if connection.vendor == "sqlite" else None
print(json.dumps({"broker": settings.CELERY_BROKER_URL.split(":")[0],
                  "options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                  "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER, "synchronous": synchronous}))
"""
CLEARED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_BROKER_POLLING_INTERVAL",
           "CELERY_WORKER_PREFETCH_MULTIPLIER", "DJANGO_SETTINGS_MODULE")


def _settings_of(tmp_path, **env) -> dict:
    (tmp_path / "var").mkdir(exist_ok=True)
    variables = {key: value for key, value in os.environ.items() if key not in CLEARED}
    variables.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "SME_VAR_DIR": str(tmp_path / "var"),
                      "PYTHONDONTWRITEBYTECODE": "1", **env})
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=variables,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_polls_the_filesystem_broker_often_and_sqlite_commits_do_not_wait_for_the_disk(tmp_path):
    embedded = _settings_of(tmp_path)

    assert (embedded["broker"], embedded["options"]["polling_interval"], embedded["prefetch"]) == (
        "filesystem", 0.05, 8)
    assert embedded["synchronous"] == 1  # NORMAL


def test_the_polling_interval_can_be_set(tmp_path):
    assert _settings_of(tmp_path, CELERY_BROKER_POLLING_INTERVAL="0.2")["options"]["polling_interval"] == 0.2


def test_with_redis_the_worker_keeps_four_messages_per_process_unless_told(tmp_path):
    redis = _settings_of(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/15")

    assert (redis["broker"], redis["prefetch"], "polling_interval" in redis["options"]) == ("redis", 4, False)
    assert _settings_of(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
                        CELERY_WORKER_PREFETCH_MULTIPLIER="1")["prefetch"] == 1

