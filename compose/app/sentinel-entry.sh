#!/bin/sh
# A Redis Sentinel of the failover profile: watches master 'main' (the redis service), calls it down
# after 1 s without an answer and, with a second Sentinel agreeing, promotes the replica. Sentinel
# rewrites its configuration file, so it lives on the container's tmpfs.
set -e
cat > /run/sentinel/sentinel.conf <<CONF
port 26379
bind 0.0.0.0
protected-mode no
sentinel resolve-hostnames yes
sentinel monitor main redis 6379 2
sentinel down-after-milliseconds main 1000
sentinel failover-timeout main 5000
sentinel parallel-syncs main 1
CONF
exec /usr/bin/redis-server /run/sentinel/sentinel.conf --sentinel
