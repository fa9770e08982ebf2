#!/usr/bin/env bash
# The reference stack (compose/): bring it up, take it down, hand out tokens.
#   scripts/stack.sh up [--swarm] [--failover] [--regression]  set-up, image build, docker-compose up (--swarm:
#                                        the fleet test bed's 3 nodes in a Swarm and docker stack deploy of
#                                        compose/docker-stack.yml; --failover: Redis with a replica and three
#                                        Sentinels, the backend reaching it through them), wait until /health is ok
#                                        (--regression: retries and buffering off)
#   scripts/stack.sh down [--swarm]      remove the stack's containers, network and volume (--swarm: the stack,
#                                        then the fleet test bed)
#   scripts/stack.sh token [--swarm] [USER]  print a JWT for USER (default probe) from the auth service
#   scripts/stack.sh status [--swarm]    the services and the backend's /health
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=faultline-stack/app:1
PROJECT=faultline-stack
SWARM_STACK=faultline
compose() { docker-compose -p "$PROJECT" -f compose/docker-compose.yml -f compose/docker-compose.host.yml "$@"; }
# Postgres's data lives on a filesystem of its own, as a production database's volume on its own
# disk: a 256 MiB tmpfs mounted here, bound into the pgdata volume (docker-compose.host.yml). A
# disk-fill campaign fills it without touching this machine's disk (or faultline's ledger on it).
PGDATA_DISK=${STACK_PGDATA_DISK:-/var/lib/faultline-stack/pgdata}
export STACK_PGDATA_DISK=$PGDATA_DISK
mount_pgdata() {
  mkdir -p "$PGDATA_DISK"
  mountpoint -q "$PGDATA_DISK" || mount -t tmpfs -o size=256m,mode=0755 faultline-pgdata "$PGDATA_DISK"
}
unmount_pgdata() {
  if mountpoint -q "$PGDATA_DISK"; then umount "$PGDATA_DISK"; fi
  rmdir "$PGDATA_DISK" 2>/dev/null || true
}
say() { printf 'stack: %s\n' "$*"; }

command=${1:-}; shift || true
swarm=false regression=false failover=false user=probe
for arg in "$@"; do
  case $arg in
    --swarm) swarm=true ;;
    --regression) regression=true ;;
    --failover) failover=true ;;
    -*) echo "stack: unknown option $arg" >&2; exit 2 ;;
    *) user=$arg ;;
  esac
done
# The Swarm variant's services are reached through the fleet nodes' forwarded ports (fleet.sh).
if $swarm; then
  FLEET_RUN_DIR=${FAULTLINE_FLEET_DIR:-/tmp/faultline-fleet}
  manager() { /usr/bin/docker -H "unix://$FLEET_RUN_DIR/node1/docker.sock" "$@"; }
  BACKEND=127.0.0.1:28000 AUTH=127.0.0.1:28081
else
  BACKEND=127.0.0.1:8000 AUTH=127.0.0.1:8081
fi

logs() {
  if $swarm; then
    for service in backend balancer postgres; do manager service logs --tail 10 "${SWARM_STACK}_$service" 2>&1 | sed "s/^/$service: /"; done
    manager service ls
  else
    compose logs --tail 30
  fi
}

# Swarm: every service of the stack runs as many tasks as it wants and no rolling update is under way.
converged() {
  local service line
  for service in $(manager stack services -q "$SWARM_STACK"); do
    line=$(manager service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$service")
    case "$line" in ""|completed|rollback_completed) ;; *) return 1 ;; esac
  done
  ! manager stack services --format '{{.Replicas}}' "$SWARM_STACK" | awk '{ split($1, n, "/"); if (n[1] != n[2]) bad = 1 } END { exit !bad }'
}

wait_healthy() {
  local body="" resilience healthy=0
  resilience=$($regression && echo off || echo on)
  for _ in $(seq 1 600); do
    body=$(curl -s --max-time 2 "http://$BACKEND/health" || true)
    # The build asked for (a rolling update answers from the old one meanwhile), every task in
    # place, and 10 answers in a row (2 s): behind the balancer, every replica has answered.
    case "$body" in *'"status": "ok"'*"\"resilience\": \"$resilience\""*) healthy=$((healthy + 1)) ;; *) healthy=0 ;; esac
    if [ $healthy -ge 10 ] && { ! $swarm || converged; }; then say "backend healthy (http://$BACKEND): $body"; return 0; fi
    sleep 0.2
  done
  say "backend not healthy after 120 s: ${body:-no answer}" >&2
  logs >&2 || true
  return 1
}

case "$command" in
  up)
    scripts/setup.sh
    say "building $IMAGE"
    DOCKER_BUILDKIT=0 /usr/bin/docker build -q -t "$IMAGE" compose >/dev/null
    if $regression; then
      export BACKEND_RESILIENCE=off
      say "regression build: BACKEND_RESILIENCE=off (no retries, no event buffering)"
    else
      export BACKEND_RESILIENCE=on
    fi
    if $swarm; then
      scripts/fleet.sh stack-nodes
      for socket in "$FLEET_RUN_DIR"/node*/docker.sock; do
        /usr/bin/docker save "$IMAGE" | /usr/bin/docker -H "unix://$socket" load >/dev/null
      done
      say "deploying compose/docker-stack.yml as Swarm stack '$SWARM_STACK' (2 backend replicas behind haproxy)"
      manager stack deploy --resolve-image never --prune -c compose/docker-stack.yml "$SWARM_STACK" 2>&1 | sed 's/^/stack: /'
    else
      mount_pgdata
      if $failover; then
        say "failover profile: redis-replica and sentinel1-3 (master 'main'), Patroni nodes patroni1-2 with etcd behind pgha; the backend follows both"
        export COMPOSE_PROFILES=failover STACK_REDIS_URL=redis+sentinel://sentinel1:26379,sentinel2:26379,sentinel3:26379/main/0
        export STACK_DATABASE_URL=postgresql://app@pgha:5432/app
        # Every bring-up starts with redis as master and patroni1 as primary (after a failover the
        # other is until then), on a fresh cluster: the backend starts again too, to set up its schema.
        compose rm -sf redis redis-replica sentinel1 sentinel2 sentinel3 etcd patroni1 patroni2 pgha backend 2>&1 | sed 's/^/stack: /'
      fi
      compose up -d --remove-orphans 2>&1 | sed 's/^/stack: /'
    fi
    wait_healthy
    if $failover; then
      # A failover needs a replica to promote: wait until patroni2 runs as one.
      for _ in $(seq 1 300); do
        curl -sf --max-time 1 http://127.0.0.1:8442/replica >/dev/null && break
        sleep 0.2
      done
      curl -sf --max-time 1 http://127.0.0.1:8442/replica >/dev/null \
        || { say "patroni2 is not a running replica after 60 s: $(curl -s --max-time 1 http://127.0.0.1:8442/patroni)" >&2; logs >&2; exit 1; }
      say "patroni1 leads, patroni2 replicates: $(curl -s --max-time 1 http://127.0.0.1:8442/patroni | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["role"], d["state"], "timeline", d.get("timeline"))')"
    fi
    ;;
  down)
    if $swarm; then
      scripts/fleet.sh down
    else
      COMPOSE_PROFILES=failover compose down -v --remove-orphans 2>&1 | sed 's/^/stack: /'
      unmount_pgdata
    fi
    ;;
  token)
    curl -sf --max-time 5 -X POST -H 'content-type: application/json' -d "{\"user\":\"$user\"}" "http://$AUTH/token" \
      | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
    ;;
  status)
    if $swarm; then manager stack services "$SWARM_STACK"; else compose ps; fi
    curl -s --max-time 3 "http://$BACKEND/health"; echo
    ;;
  *)
    sed -n '2,10p' "$0" >&2
    exit 2
    ;;
esac
