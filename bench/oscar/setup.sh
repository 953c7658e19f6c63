#!/bin/sh
# Makes a venv of its own for the django-oscar 4.2.1 bench shop (never SME Market's .venv), installs
# bench/oscar/requirements.txt from PyPI, creates the shop's PostgreSQL database if it is missing and
# migrates it. Safe to run again.
#
#   bench/oscar/setup.sh                      # venv in var/oscar-venv, database smemarket_bench_oscar
#   OSCAR_VENV=/tmp/oscar-venv OSCAR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/other bench/oscar/setup.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${OSCAR_VENV:-$ROOT/var/oscar-venv}
# Django 6.1 needs Python 3.12 or later: the first interpreter that has it, unless PYTHON names one.
if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.13 python3.12 python3 /root/.pyenv/versions/3.13.0/bin/python3.13; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            PYTHON=$candidate
            break
        fi
    done
fi
if [ -z "${PYTHON:-}" ]; then
    echo "no Python 3.12 or later found; set PYTHON=/path/to/python3.13" >&2
    exit 1
fi
export OSCAR_DATABASE_URL=${OSCAR_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/smemarket_bench_oscar}

case "$VENV" in
    "$ROOT/.venv"|"$ROOT/.venv/"*) echo "refusing to install into SME Market's own venv: $VENV" >&2; exit 1 ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r "$HERE/requirements.txt"
"$VENV/bin/python" -c "import oscar; print('django-oscar', oscar.get_version())"

# The database: postgres://USER@HOST:PORT/NAME
NAME=${OSCAR_DATABASE_URL##*/}
REST=${OSCAR_DATABASE_URL#postgres://}
USER_HOST=${REST%%/*}
DB_USER=${USER_HOST%%@*}
HOST_PORT=${USER_HOST#*@}
DB_HOST=${HOST_PORT%%:*}
DB_PORT=${HOST_PORT##*:}
if ! psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -lqt | cut -d'|' -f1 | grep -qw "$NAME"; then
    createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$NAME"
fi

cd "$HERE"
"$VENV/bin/python" manage.py migrate --noinput
# Oscar shows this picture for a product without images (the sandbox puts it in MEDIA_ROOT too).
mkdir -p "$ROOT/var/oscar-media"
cp "$("$VENV/bin/python" -c 'import oscar, os; print(os.path.dirname(oscar.__file__))')/static/oscar/img/image_not_found.jpg" \
    "$ROOT/var/oscar-media/image_not_found.jpg"
echo "oscar bench shop ready: venv $VENV, database $OSCAR_DATABASE_URL"
