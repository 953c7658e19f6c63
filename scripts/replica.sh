#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local primary, for the replica integration test
# (tests/integration/test_replica.py) and for trying DATABASE_REPLICA_URL on one machine.
#
#   scripts/replica.sh start   # prints the DATABASE_REPLICA_URL to use on its last line
#   scripts/replica.sh stop
#   scripts/replica.sh status
#
# The replica is a physical copy of the whole primary cluster (every database, the test database
# created later too), made by pg_basebackup -R and kept up to date by streaming replication. Its data
# directory is kept between runs: `start` starts it again and it catches up from the primary; only a
# copy that belongs to another primary, or that cannot catch up (the WAL it needs is gone), is made
# again. Environment (defaults in brackets): REPLICA_PRIMARY_HOST [127.0.0.1], REPLICA_PRIMARY_PORT
# [5432], REPLICA_PORT [5433], REPLICA_DATA_DIR [/var/lib/postgresql/sme-replica-$REPLICA_PORT],
# REPLICA_DB [smemarket] (only the database name of the printed URL).
set -eu

PRIMARY_HOST=${REPLICA_PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${REPLICA_PRIMARY_PORT:-5432}
PORT=${REPLICA_PORT:-5433}
DATA=${REPLICA_DATA_DIR:-/var/lib/postgresql/sme-replica-$PORT}
DB=${REPLICA_DB:-smemarket}
APP_NAME=sme_replica_$PORT
PG_USER=postgres

bindir() {
  local version
  version=$(psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_USER" -Atc "SHOW server_version_num")
  echo "/usr/lib/postgresql/$((version / 10000))/bin"
}

primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_USER" -Atqc "$1"; }

# Runs a PostgreSQL program as the postgres system user (it refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

# The replica's WAL receiver on the primary: nothing, "startup", "catchup" or "streaming".
sender_state() {
  primary "SELECT coalesce(max(state), '') FROM pg_stat_replication WHERE application_name = '$APP_NAME'"
}

streaming() { [ "$(sender_state)" = streaming ]; }

# The primary accepts replication connections from this machine (pg_hba.conf's "all" does not cover
# them) and can stream WAL; a line is added and the configuration reloaded only when missing.
allow_replication() {
  local hba
  hba=$(primary "SHOW hba_file")
  if ! grep -Eq "^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|$PG_USER)[[:space:]]+127\.0\.0\.1/32" "$hba"; then
    echo "host replication $PG_USER 127.0.0.1/32 trust" >>"$hba"
    primary "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
  fi
  [ "$(primary "SHOW wal_level")" != minimal ] || { echo "the primary's wal_level is minimal; set it to replica" >&2; exit 1; }
  [ "$(primary "SHOW max_wal_senders")" -gt 0 ] || { echo "the primary's max_wal_senders is 0" >&2; exit 1; }
}

# Settings a hot standby needs at least as high as its primary's, then this replica's own.
write_config() {
  local name
  {
    echo "# Written by scripts/replica.sh"
    echo "port = $PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '/tmp'"
    echo "hba_file = '$DATA/pg_hba.conf'"
    echo "ident_file = '$DATA/pg_ident.conf'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "shared_buffers = 32MB"
    echo "fsync = off"
    echo "log_min_messages = warning"
    for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
                max_locks_per_transaction; do
      echo "$name = $(primary "SHOW $name")"
    done
  } >"$DATA/postgresql.conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$DATA/pg_hba.conf"
  : >"$DATA/pg_ident.conf"
  chown postgres:postgres "$DATA/postgresql.conf" "$DATA/pg_hba.conf" "$DATA/pg_ident.conf" 2>/dev/null || true
}

same_primary() {
  [ -f "$DATA/standby.signal" ] && [ -f "$DATA/PG_VERSION" ] || return 1
  local ours theirs
  ours=$(as_pg "$BIN/pg_controldata" -D "$DATA" 2>/dev/null | sed -n 's/^Database system identifier:[[:space:]]*//p')
  theirs=$(primary "SELECT system_identifier FROM pg_control_system()")
  [ -n "$ours" ] && [ "$ours" = "$theirs" ]
}

copy() {
  echo "replica: copying the primary into $DATA (pg_basebackup)" >&2
  rm -rf "$DATA"
  mkdir -p "$(dirname "$DATA")"
  as_pg "$BIN/pg_basebackup" -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PG_USER application_name=$APP_NAME" \
    -D "$DATA" -R -X stream -c fast --no-sync
  chmod 700 "$DATA"
}

start_server() {
  write_config
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null
}

# Waits until the replica streams. A replica still catching up is given up to 180 s more; one whose
# WAL receiver does not connect within $1 half-seconds (the WAL it needs is gone, say) has failed.
wait_streaming() {
  local tries=0 state
  while :; do
    state=$(sender_state)
    [ "$state" = streaming ] && return 0
    tries=$((tries + 1))
    if [ -z "$state" ] && [ "$tries" -ge "$1" ]; then return 1; fi
    [ "$tries" -ge $(($1 + 360)) ] && return 1
    sleep 0.5
  done
}

start() {
  BIN=$(bindir)
  allow_replication
  if running; then
    wait_streaming 20 || { echo "replica on port $PORT runs but does not stream; run '$0 stop' and start again" >&2; exit 1; }
  else
    if ! same_primary; then copy; fi
    start_server
    if ! wait_streaming 20; then
      echo "replica: the kept copy cannot catch up; copying again" >&2
      as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null || true
      copy
      start_server
      wait_streaming 60 || { echo "replica on port $PORT does not stream; see $DATA/server.log" >&2; exit 1; }
    fi
  fi
  [ "$(psql -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -Atc "SELECT pg_is_in_recovery()")" = t ] \
    || { echo "the server on port $PORT is not a replica" >&2; exit 1; }
  echo "replica: streaming from $PRIMARY_HOST:$PRIMARY_PORT on 127.0.0.1:$PORT" >&2
  echo "postgres://$PG_USER@127.0.0.1:$PORT/$DB"
}

stop() {
  BIN=$(bindir)
  if running; then
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    echo "replica: stopped (data kept in $DATA)" >&2
  fi
}

status() {
  BIN=$(bindir)
  if running && streaming; then echo "streaming on 127.0.0.1:$PORT"; else echo "not running"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
