#!/usr/bin/env bash
# Checks the API against its own OpenAPI schema with schemathesis, as four kinds of caller: a visitor
# with no token, a seller company's owner, a buyer and a moderator. Fails on any 5xx and on any
# response whose status, content type, headers or body the schema does not describe, and on invalid
# input that the API accepts.
#
# It runs the app under gunicorn on a PostgreSQL database of its own (DATABASE_URL's name plus
# "_schemathesis"), loaded with the demo data. Bounded: SCHEMATHESIS_EXAMPLES cases per operation (20 by default) and
# SCHEMATHESIS_MAX_SECONDS per role. SCHEMATHESIS_ROLES picks roles and SCHEMATHESIS_ARGS adds
# schemathesis options (e.g. --include-path-regex auth) when looking into one failure; the server's
# log is kept in var/schemathesis/server.log.
set -eu
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
ST=${VENV:-.venv}/bin/st
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-20}
MAX_SECONDS=${SCHEMATHESIS_MAX_SECONDS:-300}
PORT=${SCHEMATHESIS_PORT:-18765}
WORK=$(mktemp -d)
REPORTS=${SCHEMATHESIS_REPORTS:-var/schemathesis}
mkdir -p "$REPORTS"

export DJANGO_SETTINGS_MODULE=config.settings.local
export DJANGO_DEBUG=0
export SME_VAR_DIR="$WORK/var"
export DJANGO_MEDIA_ROOT="$WORK/media"
export SME_SCHEMATHESIS=1
unset REDIS_URL CELERY_BROKER_URL || true
if [ -n "${DATABASE_URL:-}" ]; then
  DB_NAME="$(basename "${DATABASE_URL%%\?*}")_schemathesis"
  export DATABASE_URL="${DATABASE_URL%/*}/$DB_NAME"
  "$PY" - <<EOF
import psycopg
with psycopg.connect("${DATABASE_URL%/*}/postgres", autocommit=True) as c:
    c.execute('DROP DATABASE IF EXISTS "$DB_NAME" WITH (FORCE)')
    c.execute('CREATE DATABASE "$DB_NAME"')
EOF
else
  # Concurrent writes from two server processes need PostgreSQL; SQLite would answer "database is locked".
  echo "schemathesis: DATABASE_URL (PostgreSQL) is not set; skipped" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo -v 0 >/dev/null

# No request-line limit here: the generated URLs may be longer than gunicorn's default, and what is
# checked is the application's answer (in production the proxy in front bounds URL length).
"$PY" -m gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 --limit-request-line 0 \
  --log-level warning >"$REPORTS/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -fsS "$BASE/api/v1/schema/" -o /dev/null 2>/dev/null && break; sleep 0.2; done

token() {  # token EMAIL -> an API token for that demo account
  curl -fsS -X POST "$BASE/api/v1/auth/token/" -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"sme-demo-Market-2026\"}" |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection
# Operations that end the caller's own session are tried by the visitor only, so that the other
# roles keep their token for the whole run.
SIGN_OUT='^/api/v1/auth/(logout|tokens/\{[^}]+\})/$'
status=0
ROLES=${SCHEMATHESIS_ROLES:-visitor seller-owner buyer moderator}
run_role() {  # run_role NAME [HEADER]
  local name=$1; shift
  case " $ROLES " in *" $name "*) ;; *) return 0 ;; esac
  echo "== schemathesis: $name"
  local extra=()
  if [ $# -gt 0 ]; then extra=(-H "$1" --exclude-path-regex "$SIGN_OUT"); fi
  if ! timeout "$MAX_SECONDS" "$ST" run "$BASE/api/v1/schema/" --checks "$CHECKS" --max-examples "$EXAMPLES" \
      --phases examples,coverage,fuzzing --seed 20261206 --workers 2 \
      --request-timeout 30 --no-color --suppress-health-check all --warnings off \
      --report junit --report-junit-path "$REPORTS/$name.xml" "${extra[@]}" ${SCHEMATHESIS_ARGS:-}; then
    status=1
  fi
}

# Tokens first: the visitor's run tries wrong passwords, and sign-in throttling then slows this address.
OWNER=$(token ayse@anatolia-textiles.example)
BUYER=$(token ana@recife-compras.example)
MODERATOR=$(token moderator@sme-market.example)
run_role visitor
run_role seller-owner "Authorization: Token $OWNER"
run_role buyer "Authorization: Token $BUYER"
run_role moderator "Authorization: Token $MODERATOR"
if [ $status -ne 0 ]; then
  echo "schemathesis found responses the schema does not describe (see above); server log:" >&2
  grep -B2 -A30 "Traceback" "$REPORTS/server.log" | tail -n 80 >&2
fi
exit $status
