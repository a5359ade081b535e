#!/usr/bin/env bash
# Reads on a real streaming replica (README.md, "Deploying"; config/replica.py), checked end to end:
# a second PostgreSQL 15 cluster on this machine, made a streaming replica of the one at
# 127.0.0.1:5432 (pg_basebackup -R), then the tests read through it, then it is stopped and removed.
#
#   sudo benchmarks/replica_check.sh      # `make replica-check`; run as root (it acts as postgres)
#
# What it runs against the replica (DATABASE_REPLICA_URL set, so the router and its middleware are
# installed for the whole run):
#   1. tests/test_replica.py: every public page, list and export read on the replica with the same
#      content as the primary's; a writer who edits while replay is paused reads their edit, an
#      anonymous reader is served (the replica, then the primary once the lag passes the maximum);
#   2. the public pages' and exports' own test modules: they pass with the router installed (their
#      data sits in each test's open transaction on the primary, so the router reads it there);
#   3. the replica stopped: the public pages still answer, from the primary.
# The primary needs a replication entry in pg_hba.conf for 127.0.0.1; one is added if missing
# (`host replication postgres 127.0.0.1/32 trust`, as the primary trusts local connections
# already) and the configuration reloaded; nothing else on the primary changes.
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
DATABASE=${REPLICA_CHECK_DATABASE:-lane_replica}
PYTEST=(.venv/bin/pytest -p no:cacheprovider --create-db)
as_postgres() { su postgres -s /bin/bash -c "$*"; }
primary_sql() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atc "$1"; }

WORK=$(mktemp -d /tmp/replica-check.XXXXXX)
chown postgres: "$WORK"
stop_replica() {
    if [ -f "$WORK/data/postmaster.pid" ]; then
        as_postgres "$PGBIN/pg_ctl -D $WORK/data -m fast -w stop" >/dev/null
    fi
}
cleanup() { stop_replica || true; rm -rf "$WORK"; echo "== replica stopped and removed ($WORK)"; }
trap cleanup EXIT

echo "== primary 127.0.0.1:$PRIMARY_PORT: $(primary_sql 'SELECT version()' | cut -d' ' -f1-2)," \
    "wal_level=$(primary_sql 'SHOW wal_level'), max_wal_senders=$(primary_sql 'SHOW max_wal_senders')"
if [ "$(primary_sql "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)")" = 0 ]; then
    HBA=$(primary_sql 'SHOW hba_file')
    echo "host replication postgres 127.0.0.1/32 trust  # replica_check.sh" >>"$HBA"
    primary_sql 'SELECT pg_reload_conf()' >/dev/null
    echo "== added a replication entry to $HBA and reloaded"
fi

echo "== pg_basebackup -R of the primary's cluster ($(primary_sql \
    "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")) into $WORK/data"
START=$(date +%s.%N)
as_postgres "$PGBIN/pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D $WORK/data -R -X stream -c fast"
# Debian keeps the configuration outside the data directory: the replica gets its own.
cat >"$WORK/data/postgresql.conf" <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 32MB
EOF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$WORK/data/pg_hba.conf"
touch "$WORK/data/pg_ident.conf"
chown postgres: "$WORK/data/"*.conf
as_postgres "$PGBIN/pg_ctl -D $WORK/data -l $WORK/replica.log -w start" >/dev/null
echo "== replica 127.0.0.1:$REPLICA_PORT started in $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $START}") s:" \
    "in recovery: $(replica_sql 'SELECT pg_is_in_recovery()'), primary sees" \
    "$(primary_sql "SELECT state FROM pg_stat_replication WHERE application_name = 'walreceiver'")"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DATABASE"
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/$DATABASE"

echo "== 1. the router's tests and the live ones, on the replica"
"${PYTEST[@]}" -v -s tests/test_replica.py
echo "== 2. the public pages' and exports' tests, with the router installed"
"${PYTEST[@]}" -q tests/test_views.py tests/test_pages.py tests/test_exports.py
echo "== 3. the replica stopped"
stop_replica
REPLICA_DOWN=1 "${PYTEST[@]}" -v -s tests/test_replica.py -k "down"
