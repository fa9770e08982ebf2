#!/bin/sh
# A PostgreSQL node of the failover profile under Patroni (PATRONI_NAME patroni1 or patroni2), the
# cluster's state in etcd. patroni1 bootstraps the cluster (and the app role and database) and leads;
# patroni2 starts once patroni1 leads, so the first leader is always patroni1, and replicates from it.
# A node whose leader lock expires (ttl 10 s) is replaced by the other. Data on the container's tmpfs:
# a node started again (after a kill) has none, and Patroni makes it a replica from a base backup.
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p /run/patroni/data
chown -R postgres:postgres /run/patroni
chmod 700 /run/patroni/data
if [ "$PATRONI_NAME" != patroni1 ]; then
  until curl -sf --max-time 1 http://patroni1:8008/primary >/dev/null; do sleep 0.2; done
fi
cat > /run/patroni/patroni.yml <<CONF
scope: stack
name: $PATRONI_NAME
restapi:
  listen: 0.0.0.0:8008
  connect_address: $PATRONI_NAME:8008
etcd3:
  hosts: etcd:2379
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: false
      parameters: { max_connections: 200, wal_level: replica, hot_standby: "on" }
  initdb: [{ encoding: UTF8 }, { locale: C }]
  post_bootstrap: /app/patroni-post-bootstrap.sh
postgresql:
  listen: 0.0.0.0:5432
  connect_address: $PATRONI_NAME:5432
  data_dir: /run/patroni/data
  bin_dir: $BIN
  pgpass: /run/patroni/pgpass
  basebackup: [{ checkpoint: fast }]   # a new replica copies at once instead of waiting for a checkpoint
  authentication:
    superuser: { username: postgres, password: stack }
    replication: { username: replicator, password: stack }
  pg_hba:
    - local all all trust
    - host all all all trust
    - host replication replicator all trust
  parameters: { unix_socket_directories: /run/patroni }
CONF
chown postgres:postgres /run/patroni/patroni.yml
export TMPDIR=/run/patroni   # the image has no /tmp
exec setpriv --reuid=postgres --regid=postgres --init-groups /usr/bin/patroni /run/patroni/patroni.yml
