#!/usr/bin/env bash
# Idempotent set-up for faultline's demo, tests and CI:
#   1. installs the apt packages faultline builds and tests with (only those missing),
#   2. starts one dockerd when no engine answers (published ports bind to 127.0.0.1 only),
#   3. checks that every engine network's bridge exists (restarts the engine if not),
#   4. builds the local test image (no registry: an empty image + read-only host bind mounts),
#   5. removes labelled test containers and networks an earlier, killed session left behind.
# A second run does nothing that is already done.
set -euo pipefail

SOCK=/var/run/docker.sock
DOCKER_LOG=${FAULTLINE_DOCKERD_LOG:-/var/log/faultline-dockerd.log}
TEST_IMAGE=${FAULTLINE_TEST_IMAGE:-faultline-test/hostroot:1}
APT_PACKAGES=(docker.io iptables libcurl4-openssl-dev libpq-dev libhiredis-dev libnetfilter-queue-dev libssl-dev openssl redis-server postgresql postgresql-client curl bc python3 python3-websockets chromium
              python3-aiohttp python3-jsonschema python3-asyncpg python3-redis python3-jwt docker-compose iproute2 procps haproxy stress-ng patroni etcd-server)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get and dockerd need it)"

# --- 1. apt packages -------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { echo "setup: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi
# The Debian packages start nothing here (no systemd), but stop a stray host redis-server, haproxy
# or etcd if a policy started one (never one inside a container: the reference stack runs the same
# binaries, haproxy as the Swarm variant's balancer, etcd in the failover profile).
if [ -z "${FAULTLINE_KEEP_HOST_REDIS:-}" ]; then
  for pid in $(pgrep -x redis-server || true) $(pgrep -x haproxy || true) $(pgrep -x etcd || true); do
    # Only this PID namespace's own (a container's, or a fleet node's inner one's, has another).
    [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" = "$(readlink /proc/self/ns/pid)" ] && kill "$pid" 2>/dev/null || true
  done
fi

# Use the engine's own (20.10) CLI: the 28.x client in /usr/local/bin negotiates too, but one CLI keeps figures comparable.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)

ping_engine() { curl -sf --max-time 2 --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }

# True when PID runs (not a zombie) and is the named program (pids are reused).
process_alive() {
  local state comm
  state=$(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ') || return 1
  comm=$(ps -o comm= -p "$1" 2>/dev/null | tr -d ' ') || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ] && [ "$comm" = "$2" ]
}

start_engine() {
  if [ -f /var/run/docker.pid ]; then
    local pid; pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    if [ -n "$pid" ] && process_alive "$pid" dockerd; then
      die "dockerd (pid $pid) is running but does not answer on $SOCK; refusing to start a second engine"
    fi
    say "removing stale /var/run/docker.pid"
    rm -f /var/run/docker.pid
  fi
  for other in $(pgrep -x dockerd || true); do
    process_alive "$other" dockerd && die "a dockerd process ($other) runs without answering; refusing to start a second engine"
  done
  say "starting dockerd (log: $DOCKER_LOG)"
  # --ip 127.0.0.1: ports published without an address bind to loopback only.
  nohup dockerd --ip 127.0.0.1 >>"$DOCKER_LOG" 2>&1 &
  for _ in $(seq 1 150); do ping_engine && return 0; sleep 0.2; done
  tail -20 "$DOCKER_LOG" >&2
  die "dockerd did not answer /_ping within 30 s"
}

stop_engine() {
  local pid; pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  [ -n "$pid" ] || pid=$(pgrep -x dockerd || true)
  [ -n "$pid" ] || return 0
  say "stopping dockerd (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do process_alive "$pid" dockerd || break; sleep 0.2; done
  process_alive "$pid" dockerd && kill -9 "$pid" 2>/dev/null || true
  rm -f /var/run/docker.pid
}

# --- 2. the engine ---------------------------------------------------------
if ping_engine; then
  say "engine answers on $SOCK"
else
  start_engine
fi

# --- 3. every network's bridge must exist ----------------------------------
bridges_ok() {
  local id name iface
  for id in $("$DOCKER" network ls -q --filter driver=bridge); do
    name=$("$DOCKER" network inspect -f '{{.Name}}' "$id")
    iface=$("$DOCKER" network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' "$id")
    [ -n "$iface" ] || iface="br-${id:0:12}"
    if ! ip link show "$iface" >/dev/null 2>&1; then
      say "bridge $iface of network $name is missing"
      return 1
    fi
  done
}
if ! bridges_ok; then
  say "restarting the engine to recreate missing bridges"
  stop_engine
  start_engine
  bridges_ok || die "bridges still missing after an engine restart; see $DOCKER_LOG"
fi

# --- 4. test image ---------------------------------------------------------
if ! "$DOCKER" image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  say "building $TEST_IMAGE (empty image; containers bind-mount host binaries read-only)"
  tar c -T /dev/null | "$DOCKER" import -c 'CMD ["/bin/sleep","infinity"]' - "$TEST_IMAGE" >/dev/null
fi

# --- 5. leftovers of an earlier, killed session -----------------------------
left=$("$DOCKER" ps -aq --filter label=faultline.test)
if [ -n "$left" ]; then
  say "removing $(echo "$left" | wc -l) leftover test container(s)"
  # shellcheck disable=SC2086
  "$DOCKER" rm -f $left >/dev/null
fi
leftnets=$("$DOCKER" network ls -q --filter label=faultline.test)
if [ -n "$leftnets" ]; then
  say "removing leftover test network(s)"
  # shellcheck disable=SC2086
  "$DOCKER" network rm $leftnets >/dev/null || true
fi
say "ready"
