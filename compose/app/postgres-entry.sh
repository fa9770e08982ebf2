#!/bin/sh
# PostgreSQL 15 from the host's binaries, data in the named volume at /data. Runs as the host's
# postgres user (its /etc/passwd is mounted), trusts the stack's own network (a test stack).
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=/data/pg
mkdir -p "$PGDATA"
chown postgres:postgres /data "$PGDATA"
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C --auth=trust >/dev/null
  echo "host all all all trust" >> "$PGDATA/pg_hba.conf"
  setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/postgres" --single -D "$PGDATA" postgres >/dev/null <<SQL
CREATE ROLE app LOGIN;
CREATE DATABASE app OWNER app;
SQL
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/postgres" -D "$PGDATA" \
  -c listen_addresses='*' -c unix_socket_directories=/data -c fsync=on -c max_connections=200
