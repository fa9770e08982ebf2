#!/bin/sh
# PostgreSQL 15 from the host's binaries, data in the named volume at /data (the WAL at /wal when
# that is mounted). Runs as the host's postgres user (its /etc/passwd is mounted), trusts the
# stack's own network (a test stack).
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=/data/pg
mkdir -p "$PGDATA"
chown postgres:postgres /data "$PGDATA"
chmod 700 "$PGDATA"
# With a volume at /wal the write-ahead log lives there, on a filesystem of its own (as production
# often has it): a full data volume then fails writes with clear errors instead of a WAL PANIC.
WALDIR=""
if [ -d /wal ]; then
  mkdir -p /wal/pg_wal
  chown postgres:postgres /wal /wal/pg_wal
  chmod 700 /wal/pg_wal
  WALDIR=--waldir=/wal/pg_wal
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  rm -rf /wal/pg_wal/* 2>/dev/null || true
  setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/initdb" -D "$PGDATA" $WALDIR -U postgres -E UTF8 --locale=C --auth=trust >/dev/null
  echo "host all all all trust" >> "$PGDATA/pg_hba.conf"
  setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/postgres" --single -D "$PGDATA" postgres >/dev/null <<SQL
CREATE ROLE app LOGIN;
CREATE DATABASE app OWNER app;
SQL
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/postgres" -D "$PGDATA" \
  -c listen_addresses='*' -c unix_socket_directories=/data -c fsync=on -c max_connections=200
