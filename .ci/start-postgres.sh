#!/usr/bin/env bash
# Starts a throwaway PostgreSQL from Debian's packages on loopback and prints its URL.
# Usage: eval "$(bash .ci/start-postgres.sh)"   → exports TEST_DATABASE_URL and PGDIR
set -euo pipefail
PORT="${PGPORT_TEST:-55432}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PGDIR="$(mktemp -d /tmp/billrelay-pg.XXXXXX)"
chown postgres:postgres "$PGDIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$BIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
echo "export PGDIR=$PGDIR"
echo "export PGBIN=$BIN"
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
