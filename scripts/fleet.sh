#!/usr/bin/env bash
# A fleet on one machine: N Docker-in-Docker nodes (../shared/TESTBED.md's recipe), each running
# the host's own dockerd with its own data root, exec root and cgroup parent, and a faultline
# agent (`faultline daemon`) inside the node, as it would run on a real host (a node has its own
# PID namespace, so whatever enters a container's namespaces must run there).
#
#   scripts/fleet.sh up [N]    N nodes (default 3, at most 9); writes the fleet description
#   scripts/fleet.sh status    each node's engine and agent
#   scripts/fleet.sh down      removes everything `up` made, also after a failed `up`
#   scripts/fleet.sh check     the test bed's own test (the test command runs it): up 2, a campaign
#                              of pause, blackhole and cpu through each node's agent on a container
#                              of that node, the container as before; inject --node with the
#                              coordinator SIGKILLed mid-window (the agent ends the fault itself);
#                              down, nothing left behind
#
# Everything it makes carries the label faultline.fleet=1 and the prefix faultline-fleet-; `down`
# removes exactly those (node containers, their volumes, the network, the nodes' cgroup
# directories, the run directory) and never touches the host engine's other containers. Nodes sit
# on a user-defined bridge network: traffic stays on this machine. Agents listen only on unix
# sockets under the run directory (no TCP without TLS).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH

DOCKER=${DOCKER:-docker}
LABEL=faultline.fleet=1
PREFIX=faultline-fleet
NETWORK=$PREFIX
RUN_DIR=${FAULTLINE_FLEET_DIR:-/tmp/faultline-fleet}
# The API fuzz's report, kept after `down` removes RUN_DIR.
FUZZ_LOG=${FAULTLINE_FUZZ_LOG:-/tmp/faultline-api-fuzz.log}
IMAGE=${FAULTLINE_TEST_IMAGE:-faultline-test/hostroot:1}
FAULTLINE_BIN=${FAULTLINE_BIN:-$PWD/.build/debug/faultline}

say() { echo "fleet: $*"; }
fail() { echo "fleet: $*" >&2; exit 1; }

node_names() { $DOCKER ps -a --filter "label=$LABEL" --format '{{.Names}}' | sort; }

down() {
  local nodes
  nodes=$(node_names)
  # Removing a node ends its dockerd and every process of its PID namespace (inner containers too).
  [ -z "$nodes" ] || $DOCKER rm -f $nodes >/dev/null
  local volumes
  volumes=$($DOCKER volume ls -q --filter "label=$LABEL")
  [ -z "$volumes" ] || $DOCKER volume rm -f $volumes >/dev/null
  $DOCKER network ls -q --filter "label=$LABEL" | xargs -r $DOCKER network rm >/dev/null
  # The inner engines' cgroups live under /sys/fs/cgroup/<controller>/<prefix>-nodeN: deepest first.
  find /sys/fs/cgroup -depth -type d -path "*/$PREFIX-node*" -exec rmdir {} + 2>/dev/null || true
  if find /sys/fs/cgroup -type d -path "*/$PREFIX-node*" 2>/dev/null | grep -q .; then
    fail "cgroup directories of the nodes are still there: $(find /sys/fs/cgroup -type d -path "*/$PREFIX-node*" | head -3)"
  fi
  rm -rf "$RUN_DIR"
  say "down: nodes, volumes, network, cgroup directories and $RUN_DIR removed"
}

wait_for() {  # wait_for SECONDS CMD...: polls CMD every 0.2 s
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

agent_healthy() { curl -sf --max-time 2 --unix-socket "$1" http://faultline/v1/health; }

up() {
  local count=${1:-3}
  [[ "$count" =~ ^[1-9]$ ]] || fail "up takes a node count from 1 to 9, not '$count'"
  [ -z "$(node_names)" ] || fail "a fleet is already up ($(node_names | tr '\n' ' ')): run scripts/fleet.sh down first"
  [ -x "$FAULTLINE_BIN" ] || fail "no faultline binary at $FAULTLINE_BIN: swift build first (or set FAULTLINE_BIN)"
  $DOCKER image inspect "$IMAGE" >/dev/null 2>&1 || fail "no image $IMAGE: scripts/setup.sh builds it"
  # Whatever ends `up` early (a failed step or `fail`) removes what it made.
  trap 'status=$?; if [ $status -ne 0 ]; then echo "fleet: up failed; removing what it made" >&2; down; fi' EXIT
  mkdir -p "$RUN_DIR" && chmod 700 "$RUN_DIR"
  local binary swift_lib
  binary=$(readlink -f "$FAULTLINE_BIN")
  swift_lib=$(dirname "$(dirname "$(command -v swift)")")
  $DOCKER network create --label "$LABEL" "$NETWORK" >/dev/null
  local description="$RUN_DIR/fleet.yaml"
  echo "# The fleet scripts/fleet.sh up made: each node's engine and agent, as unix sockets on this machine." > "$description"
  echo "nodes:" >> "$description"
  for i in $(seq 1 "$count"); do
    local node=node$i name=$PREFIX-node$i dir=$RUN_DIR/node$i
    mkdir -p "$dir/faultline" && chmod 700 "$dir/faultline"
    $DOCKER volume create --label "$LABEL" "$name-data" >/dev/null
    $DOCKER run -d --name "$name" --hostname "$node" --label "$LABEL" --network "$NETWORK" \
      --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /sbin:/sbin:ro -v /etc:/etc:ro \
      -v "$swift_lib:$swift_lib:ro" -v "$binary:/opt/faultline/faultline:ro" \
      -v /sys/fs/cgroup:/sys/fs/cgroup -v /dev:/dev -v "$name-data:/var/lib/docker" -v "$dir:/hostrun" \
      --tmpfs /run --tmpfs /var/run --tmpfs /tmp \
      "$IMAGE" /usr/sbin/dockerd --host unix:///hostrun/docker.sock --storage-driver overlay2 \
      --pidfile /run/docker.pid --exec-root /run/docker-exec --cgroup-parent "/$name" --ip 127.0.0.1 >/dev/null
  done
  for i in $(seq 1 "$count"); do
    local node=node$i name=$PREFIX-node$i dir=$RUN_DIR/node$i
    wait_for 30 $DOCKER -H "unix://$dir/docker.sock" version || fail "$node: its engine did not come up in 30 s ($DOCKER logs $name)"
    $DOCKER save "$IMAGE" | $DOCKER -H "unix://$dir/docker.sock" load >/dev/null
    # The agent: faultline's daemon inside the node, on the node's engine, with its own ledger and warden.
    $DOCKER exec -d "$name" /opt/faultline/faultline daemon --state-dir /hostrun/faultline \
      --engine unix:///hostrun/docker.sock --log-level notice
    wait_for 20 agent_healthy "$dir/faultline/daemon.sock" || fail "$node: its agent did not answer in 20 s"
    local address
    address=$($DOCKER inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$name")
    echo "  $node: { engine: unix://$dir/docker.sock, agent: unix://$dir/faultline/daemon.sock, address: $address }" >> "$description"
    say "$node up: engine unix://$dir/docker.sock, agent $dir/faultline/daemon.sock, $address on $NETWORK"
  done
  trap - EXIT
  say "fleet description: $description (export FAULTLINE_FLEET=$description)"
}

status() {
  local nodes
  nodes=$(node_names)
  [ -n "$nodes" ] || { say "no fleet is up"; return 0; }
  for name in $nodes; do
    local node=${name#"$PREFIX-"} dir=$RUN_DIR/${name#"$PREFIX-"}
    local engine agent
    engine=$($DOCKER -H "unix://$dir/docker.sock" version -f '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo "unreachable")
    agent=$(agent_healthy "$dir/faultline/daemon.sock" 2>/dev/null || echo "unreachable")
    local containers
    containers=$($DOCKER -H "unix://$dir/docker.sock" ps -q 2>/dev/null | wc -l)
    say "$node: engine $engine, $containers running containers; agent $agent"
  done
}

# The node's container as the faults see it: run state, cgroup limits, the namespace's filter rules
# (rules only: the first iptables call in a namespace loads its empty tables, which is no fault).
snapshot() {  # snapshot NODE CONTAINER
  local name=$PREFIX-$1 engine="$DOCKER -H unix://$RUN_DIR/$1/docker.sock" pid
  pid=$($engine inspect -f '{{.State.Pid}} {{.State.Status}} {{.State.Paused}}' "$2")
  echo "$pid"
  $DOCKER exec "$name" nsenter --target "${pid%% *}" --net iptables-save 2>/dev/null | grep '^-A' || true
  $DOCKER exec "$name" sh -c "cat /sys/fs/cgroup/cpu/$name/*/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/$name/*/cpu.max"
}

check() {
  up 2
  trap 'status=$?; down; exit $status' EXIT
  local campaign=$RUN_DIR/node-local.yaml
  cat > "$campaign" <<'YAML'
name: fleet-test-bed
targets:
  web: { name: fleet-check-web }
hypothesis:
  steady_state: { window: 100ms }
settings: { recovery_limit: 1s }
timeline:
  - { at: 0s, fault: { pause: { target: web } }, for: 500ms }
  - { at: 1s, fault: { blackhole: { target: web, ports: [80] } }, for: 500ms }
  - { at: 2s, fault: { cpu: { target: web, cpus: 0.5 } }, for: 500ms }
YAML
  for node in node1 node2; do
    $DOCKER -H "unix://$RUN_DIR/$node/docker.sock" run -d --name fleet-check-web \
      -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /etc:/etc:ro "$IMAGE" /bin/sleep 600 >/dev/null
    local before after
    before=$(snapshot "$node" fleet-check-web)
    timeout 60 "$FAULTLINE_BIN" submit "$campaign" --wait --socket "$RUN_DIR/$node/faultline/daemon.sock" >/dev/null \
      || fail "$node: the campaign through its agent did not hold"
    after=$(snapshot "$node" fleet-check-web)
    [ "$before" = "$after" ] || fail "$node: the container differs after the run: before [$before] after [$after]"
    say "check: $node's agent injected and reverted pause, blackhole and cpu on its own container; it is as before"
  done
  # Single faults through `inject --node`: the coordinator SIGKILLed mid-window, the agent ends
  # the fault by itself when the window ends; the container is as before on every node.
  for node in node1 node2; do
    local before after log=$RUN_DIR/inject-$node.log
    before=$(snapshot "$node" fleet-check-web)
    "$FAULTLINE_BIN" inject blackhole fleet-check-web --port 80 --for 1500ms --node "$node" --fleet "$RUN_DIR/fleet.yaml" --json > "$log" 2>&1 &
    local coordinator=$!
    wait_for 10 grep -q '"injected"' "$log" || { kill -9 $coordinator 2>/dev/null; fail "$node: inject --node did not inject: $(cat "$log")"; }
    kill -9 $coordinator; wait $coordinator 2>/dev/null || true
    [ "$(snapshot "$node" fleet-check-web)" != "$before" ] || fail "$node: the blackhole was not in place after the inject"
    sleep 2.5   # the window (1.5 s) and a second of margin
    after=$(snapshot "$node" fleet-check-web)
    [ "$before" = "$after" ] || fail "$node: the agent did not end the fault after its coordinator died: before [$before] after [$after]"
    "$FAULTLINE_BIN" inject cpu fleet-check-web --cpus 0.3 --for 300ms --node "$node" --fleet "$RUN_DIR/fleet.yaml" >/dev/null \
      || fail "$node: inject cpu --node failed"
    after=$(snapshot "$node" fleet-check-web)
    [ "$before" = "$after" ] || fail "$node: the container differs after inject cpu --node: before [$before] after [$after]"
  done
  say "check: inject --node on each node's agent; with its coordinator SIGKILLed mid-window the agent ended the fault itself"
  # Every node's containers, named by node, from the fleet file `up` wrote.
  local listed
  listed=$("$FAULTLINE_BIN" targets --fleet "$RUN_DIR/fleet.yaml" --running)
  for node in node1 node2; do
    grep -Eq "^$node +fleet-check-web " <<<"$listed" || fail "targets --fleet did not list fleet-check-web on $node: $listed"
  done
  say "check: targets --fleet lists each node's containers with the node's name"
  fuzz "${FAULTLINE_FUZZ_SECONDS:-45}"
}

# The API fuzz: schemathesis (PyPI, in a venv of its own) drives every operation of
# docs/openapi.yaml for a bounded time against a second agent in node1, on TCP with a token. The
# node's engine holds only the test bed's container, so whatever the fuzz gets accepted acts on
# nothing else. Every answer must be one the document declares (no 5xx, no undeclared status,
# content type or body shape, 405 for a method a path does not take); afterwards the agent stops,
# ending anything it held, and its container is as before with nothing open in its ledger.
fuzz() {  # fuzz SECONDS (node1 must be up)
  local seconds=${1:-60} venv=.build/api-fuzz-venv node=node1
  if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -c 'import ensurepip' 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis
  fi
  local name=$PREFIX-$node dir=$RUN_DIR/$node address
  address=$($DOCKER inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$name")
  mkdir -p "$dir/fuzz" && chmod 700 "$dir/fuzz"
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/fuzz/token" && chmod 600 "$dir/fuzz/token"
  local before
  before=$(snapshot "$node" fleet-check-web)
  $DOCKER exec -d "$name" sh -c "exec /opt/faultline/faultline daemon --state-dir /hostrun/fuzz/state --engine unix:///hostrun/docker.sock \
    --tcp $address:7441 --token-file /hostrun/fuzz/token --log-level notice > /hostrun/fuzz/daemon.log 2>&1"
  wait_for 20 curl -sf --max-time 2 -H "Authorization: Bearer $(cat "$dir/fuzz/token")" "http://$address:7441/v1/health" \
    || fail "fuzz: the agent on $address:7441 did not answer in 20 s"
  local status=0
  timeout $((seconds + 30)) "$venv/bin/schemathesis" run docs/openapi.yaml --url "http://$address:7441" \
    --header "Authorization: Bearer $(cat "$dir/fuzz/token")" --max-time "$seconds" --seed 7 --request-timeout 20 \
    --exclude-checks positive_data_acceptance --no-color > "$FUZZ_LOG" 2>&1 || status=$?
  # SIGTERM: the agent ends every fault it holds before it exits.
  $DOCKER exec "$name" pkill -TERM -f "state-dir /hostrun/fuzz/state" || true
  wait_for 40 sh -c "! $DOCKER exec $name pgrep -f 'state-dir /hostrun/fuzz/state'" || fail "fuzz: the agent did not stop in 40 s"
  { echo; echo "--- the fuzzed agent's log"; cat "$dir/fuzz/daemon.log"; } >> "$FUZZ_LOG" 2>/dev/null || true
  if [ $status -ne 0 ]; then
    grep -E '^(_{5,}|- |    curl|  ❌)' "$FUZZ_LOG" | head -40 >&2
    tail -5 "$dir/fuzz/daemon.log" >&2 || true
    fail "fuzz: schemathesis found answers the document does not declare (exit $status; $FUZZ_LOG)"
  fi
  [ "$(snapshot "$node" fleet-check-web)" = "$before" ] || fail "fuzz: the container differs after the fuzz"
  # Nothing open in the agent's ledger: every intent has its revert.
  python3 - "$dir/fuzz/state/ledger.jsonl" <<'PY' || fail "fuzz: the agent's ledger still holds open faults"
import json, os, sys
path = sys.argv[1]
records = [json.loads(line) for line in open(path) if line.strip()] if os.path.exists(path) else []
ids = lambda event: {r.get("fault_id") or r.get("faultID") for r in records if r.get("event") == event}
open_ids = ids("intent") - ids("reverted")
print(f"fuzz: the agent's ledger: {len(ids('intent'))} faults injected, {len(open_ids)} open", file=sys.stderr)
sys.exit(1 if open_ids else 0)
PY
  say "check: API fuzz ($seconds s, $(grep -Eo '[0-9]+ generated' "$FUZZ_LOG" | head -1) cases): every answer as docs/openapi.yaml declares; nothing left behind"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  check) check ;;
  fuzz) shift; up 1; trap 'status=$?; down; exit $status' EXIT
        $DOCKER -H "unix://$RUN_DIR/node1/docker.sock" run -d --name fleet-check-web \
          -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /etc:/etc:ro "$IMAGE" /bin/sleep 600 >/dev/null
        fuzz "${1:-300}" ;;
  *) echo "usage: scripts/fleet.sh up [N] | status | down | check | fuzz [SECONDS]" >&2; exit 2 ;;
esac
