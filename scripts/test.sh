#!/usr/bin/env bash
# The whole suite. Stage 1 runs the unit and browser tests on SQLite. Stage 2 runs the unit and
# integration tests on PostgreSQL, Redis and real Celery workers when DATABASE_URL is set; without
# it the integration tests skip locally and fail when CI=true (the replica test needs
# DATABASE_REPLICA_URL too, .ci/run starts one with scripts/replica.sh). Stage 3 (with DATABASE_URL, when no
# pytest arguments are given) checks the running API against its OpenAPI schema with schemathesis.
set -eu
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.test

echo "== stage 1: SQLite (unit and browser tests)"
env -u DATABASE_URL -u DATABASE_REPLICA_URL -u REDIS_URL -u CELERY_BROKER_URL "$PY" -m pytest -m "not integration" "$@"

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== stage 2: PostgreSQL + Redis + Celery worker (unit and integration tests)"
  # The settings of the tests never read DATABASE_REPLICA_URL (subprocesses that start other settings
  # would inherit it); the replica test reads it as TEST_REPLICA_URL.
  env -u DATABASE_REPLICA_URL TEST_REPLICA_URL="${DATABASE_REPLICA_URL:-${TEST_REPLICA_URL:-}}" \
    "$PY" -m pytest -m "not e2e" "$@"
  if [ $# -eq 0 ]; then
    echo "== stage 3: the API against its OpenAPI schema (schemathesis, four roles)"
    # The server of this stage reads from the primary only; the replica has its own test in stage 2.
    env -u DATABASE_REPLICA_URL VENV=${VENV:-.venv} bash scripts/schemathesis.sh
  fi
else
  echo "== stage 2: integration tests (DATABASE_URL is not set)"
  "$PY" -m pytest -m integration "$@"
fi
