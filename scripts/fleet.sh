#!/usr/bin/env bash
# A fleet on one machine: N Docker-in-Docker nodes (../shared/TESTBED.md's recipe), each running
# the host's own dockerd with its own data root, exec root and cgroup parent, and a faultline
# agent (`faultline daemon`) inside the node, as it would run on a real host (a node has its own
# PID namespace, so whatever enters a container's namespaces must run there).
#
#   scripts/fleet.sh up [N]    N nodes (default 3, at most 9); writes the fleet description
#   scripts/fleet.sh swarm [N] up N nodes (default 3) joined as a Swarm (node1 the manager) with the
#                              service fleet-swarm-web (3 replicas); down removes it with the nodes
#   scripts/fleet.sh status    each node's engine and agent
#   scripts/fleet.sh down      removes everything `up` made, also after a failed `up`
#   scripts/fleet.sh workload  starts fleet-web (HTTP, reached from the host on 127.0.0.1:4730N
#                              through node N) and fleet-worker on every node, for
#                              faults/fleet-across-nodes.yaml
#   scripts/fleet.sh bench     up 3, `faultline-bench fleet` (fan-out over the nodes vs one node, the
#                              agent hop vs a local inject, the cost of a connected agent), then the
#                              Swarm reference stack and `faultline-bench swarm-recovery` (recovery
#                              through its balancer vs a dense prober and engine events), down;
#                              FAULTLINE_BIN=.build/release/faultline for release figures
#   scripts/fleet.sh check     the test bed's own test (the test command runs it): up 3; the campaign
#                              faults/fleet-across-nodes.yaml across the nodes holds and leaves every
#                              container as before; the coordinator SIGKILLed mid-window (every node
#                              reverts by itself); an agent SIGKILLed mid-window (its warden reverts,
#                              the run aborts naming the node); the coordinator cut off from a node
#                              mid-window (its agent reverts by itself); an unknown node and an unreachable
#                              agent (one line, nothing injected anywhere); a campaign submitted to
#                              each node's agent; inject --node with its coordinator SIGKILLed; the
#                              API fuzz; the fleet benchmark's gate; a Swarm: one replica of a
#                              service paused by slot, every replica at once refused, a protected
#                              node's replica not counted, a degraded service refused, a killed task
#                              left to Swarm (no old container started beside its replacement; its
#                              time to reschedule agrees with Swarm's task records), a
#                              node drained for a window and set back, and set back by the manager
#                              node's warden when that agent is SIGKILLed mid-drain; the Swarm
#                              reference stack's campaigns, swarm-recovery's gate and its regression
#                              build; down, nothing left behind
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
# Node N's port 18000 (fleet-web's) is published on the host's loopback at WEB_PORT_BASE + N.
WEB_PORT_BASE=47300
# Where each node's agent listens (https, mutual TLS) on its address on the nodes' network.
AGENT_PORT=7441
FAULTLINE_BIN=${FAULTLINE_BIN:-$PWD/.build/debug/faultline}

say() { echo "fleet: $*"; }
fail() { echo "fleet: $*" >&2; exit 1; }

node_names() { $DOCKER ps -a --filter "label=$LABEL" --format '{{.Names}}' | sort; }

down() {
  # A coordinator daemon check started, should it have failed before stopping it.
  pkill -TERM -f "daemon --state-dir $RUN_DIR/coordinator-daemon" 2>/dev/null && sleep 1 || true
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

# node2's engine also listens on TCP with mutual TLS (its node certificate; clients of the fleet CA),
# and the fleet file names it that way: the coordinator reaches a TLS engine as it would a remote host's.
ENGINE_TLS_PORT=2376
engine_tls_flags() {  # engine_tls_flags NODE
  [ "$1" = node2 ] || return 0
  echo "--host tcp://0.0.0.0:$ENGINE_TLS_PORT --tlsverify --tlscacert /hostrun/tls/ca.pem --tlscert /hostrun/tls/node2.pem --tlskey /hostrun/tls/node2.key"
}

agent_healthy() { curl -sf --max-time 2 --unix-socket "$1" http://faultline/v1/health; }

# The Swarm reference stack's ports (compose/docker-stack.yml publishes them on the node that runs
# each service) forwarded to 127.0.0.1 here: the balancer on node1, the data services on node2.
stack_ports() {
  case $1 in
    node1) echo "-p 127.0.0.1:28000:8000" ;;
    node2) echo "-p 127.0.0.1:25435:5435 -p 127.0.0.1:26381:6381 -p 127.0.0.1:28081:8081 -p 127.0.0.1:28082:8082" ;;
  esac
}

node_address() { $DOCKER inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$PREFIX-$1"; }

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
  for i in $(seq 1 "$count"); do
    local node=node$i name=$PREFIX-node$i dir=$RUN_DIR/node$i
    mkdir -p "$dir/faultline" "$dir/tls" && chmod 700 "$dir/faultline" "$dir/tls"
    $DOCKER volume create --label "$LABEL" "$name-data" >/dev/null
    $DOCKER run -d --name "$name" --hostname "$node" --label "$LABEL" --network "$NETWORK" -p "127.0.0.1:$((WEB_PORT_BASE + i)):18000" \
      $(stack_ports "$node") \
      --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /sbin:/sbin:ro -v /etc:/etc:ro \
      -v "$swift_lib:$swift_lib:ro" -v "$binary:/opt/faultline/faultline:ro" \
      -v /sys/fs/cgroup:/sys/fs/cgroup -v /dev:/dev -v "$name-data:/var/lib/docker" -v "$dir:/hostrun" \
      --tmpfs /run --tmpfs /var/run --tmpfs /tmp \
      "$IMAGE" /bin/sh -c "until [ -e /hostrun/tls/ready ]; do sleep 0.1; done; exec /usr/sbin/dockerd --host unix:///hostrun/docker.sock \
      $(engine_tls_flags "$node") --storage-driver overlay2 --pidfile /run/docker.pid --exec-root /run/docker-exec \
      --cgroup-parent /$name --ip 127.0.0.1" >/dev/null
  done
  # Mutual TLS between the coordinator and the agents: a CA, a certificate per node for its
  # address on the nodes' network, one for the coordinator; and the agents' bearer token.
  local subjects=()
  for i in $(seq 1 "$count"); do subjects+=(--node "node$i=$(node_address node$i)"); done
  "$FAULTLINE_BIN" certs "$RUN_DIR/certs" "${subjects[@]}" --coordinator coordinator 2>/dev/null
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$RUN_DIR/token" && chmod 600 "$RUN_DIR/token"
  # The coordinator's client files for node2's TLS engine, in the DOCKER_CERT_PATH layout.
  mkdir -p "$RUN_DIR/certs/engine" && cp "$RUN_DIR/certs/ca.pem" "$RUN_DIR/certs/engine/ca.pem"
  cp "$RUN_DIR/certs/coordinator.pem" "$RUN_DIR/certs/engine/cert.pem" && cp "$RUN_DIR/certs/coordinator.key" "$RUN_DIR/certs/engine/key.pem"
  # Each node's engine waits for its files (node2's serves TLS with its node certificate).
  for i in $(seq 1 "$count"); do
    local node=node$i dir=$RUN_DIR/node$i
    cp "$RUN_DIR/certs/$node.pem" "$RUN_DIR/certs/$node.key" "$RUN_DIR/certs/ca.pem" "$RUN_DIR/token" "$dir/tls/"
    touch "$dir/tls/ready"
  done
  {
    echo "# The fleet scripts/fleet.sh up made: each node's engine (a unix socket on this machine; node2's over TCP with TLS) and its"
    echo "# agent (https on the node's address, mutual TLS with the certificates in certs/, and a token)."
    echo "tls: { ca: certs/ca.pem, cert: certs/coordinator.pem, key: certs/coordinator.key }"
    echo "token_file: token"
    echo "nodes:"
  } > "$description"
  for i in $(seq 1 "$count"); do
    local node=node$i name=$PREFIX-node$i dir=$RUN_DIR/node$i
    wait_for 30 $DOCKER -H "unix://$dir/docker.sock" version || fail "$node: its engine did not come up in 30 s ($DOCKER logs $name)"
    $DOCKER save "$IMAGE" | $DOCKER -H "unix://$dir/docker.sock" load >/dev/null
    start_agent "$node"
    local address engine
    address=$(node_address "$node")
    engine="unix://$dir/docker.sock"
    if [ -n "$(engine_tls_flags "$node")" ]; then
      engine="\"tcp://$address:$ENGINE_TLS_PORT\", engine_tls: certs/engine"
      wait_for 10 curl -sf --max-time 2 --cacert "$RUN_DIR/certs/ca.pem" --cert "$RUN_DIR/certs/coordinator.pem" \
        --key "$RUN_DIR/certs/coordinator.key" "https://$address:$ENGINE_TLS_PORT/_ping" || fail "$node: its TLS engine did not answer"
    fi
    echo "  $node: { engine: $engine, agent: \"https://$address:$AGENT_PORT\", address: $address }" >> "$description"
    say "$node up: engine $engine, agent https://$address:$AGENT_PORT (and $dir/faultline/daemon.sock), $address on $NETWORK"
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

# The node's container as a revert must leave it, also one a fault restarted (so no PID): run
# state, networks and addresses, its own cgroup limits, its namespace's filter rules and qdiscs.
state() {  # state NODE CONTAINER
  local name=$PREFIX-$1 engine="$DOCKER -H unix://$RUN_DIR/$1/docker.sock" id pid
  $engine inspect -f '{{.State.Status}} paused={{.State.Paused}} restarts={{.RestartCount}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' "$2"
  id=$($engine inspect -f '{{.Id}}' "$2"); pid=$($engine inspect -f '{{.State.Pid}}' "$2")
  $DOCKER exec "$name" sh -c "cat /sys/fs/cgroup/cpu/$name/$id/cpu.cfs_quota_us /sys/fs/cgroup/memory/$name/$id/memory.limit_in_bytes /sys/fs/cgroup/memory/$name/$id/memory.memsw.limit_in_bytes 2>/dev/null"
  # Docker's embedded DNS rules (DOCKER_OUTPUT, DOCKER_POSTROUTING) take new ports at every start: not compared.
  $DOCKER exec "$name" nsenter --target "$pid" --net iptables-save 2>/dev/null | grep '^-A' | grep -Ev '^-A DOCKER_(OUTPUT|POSTROUTING) ' || true
  $DOCKER exec "$name" nsenter --target "$pid" --net tc qdisc show 2>/dev/null | grep -v 'noqueue' || true
}

fleet_state() {  # every workload container of every node
  for node in $(node_names); do
    node=${node#"$PREFIX-"}
    for container in fleet-web fleet-worker; do echo "== $node $container"; state "$node" "$container"; done
  done
}

# Prints, for a failed campaign, each probe's samples that were not ok (offset, outcome, reason),
# runs of the same outcome and reason folded into one line: what CI needs to tell a slow start
# from a hang or a refused connection.
failed_samples() {
  local journal
  journal=$(ls -t "$1"/*/journal.jsonl 2>/dev/null | head -1)
  [ -n "$journal" ] || return 0
  echo "samples that were not ok ($journal):"
  python3 - "$journal" <<'PY'
import json, sys
last = {}
for line in open(sys.argv[1]):
    entry = json.loads(line)
    window = entry.get("window")
    if window and "revertedAt" in window:
        times = " ".join(f"{k} {window[k][1] / 1e18 + window[k][0]:.2f}s" for k in window
                         if isinstance(window[k], list) and len(window[k]) == 2)
        print(f"  window #{window['index']} {window['summary']} on {window['container']} ({window.get('node', '-')}): {times}")
    sample = entry.get("sample")
    if not sample:
        continue
    seconds = sample["offset"][1] / 1e18 + sample["offset"][0]
    key = (sample["outcome"], sample.get("reason", ""))
    probe = sample["probe"]
    if sample["outcome"] == "ok":
        if probe in last:
            print(f"  {probe} ok again at {seconds:.2f}s")
            del last[probe]
        continue
    if last.get(probe) != key:
        print(f"  {probe} {key[0]} from {seconds:.2f}s: {key[1][:120]}")
        last[probe] = key
PY
}

workload() {
  local nodes
  nodes=$(node_names)
  [ -n "$nodes" ] || fail "no fleet is up: scripts/fleet.sh up first"
  local mounts="-v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /etc:/etc:ro"
  for name in $nodes; do
    local node=${name#"$PREFIX-"} engine="$DOCKER -H unix://$RUN_DIR/${name#"$PREFIX-"}/docker.sock"
    $engine rm -f fleet-web fleet-worker >/dev/null 2>&1 || true
    # Fixed addresses on a network of the node's own: a container a fault stopped or killed starts
    # again with its address (on the default bridge two of them could swap theirs).
    $engine network inspect fleet-net >/dev/null 2>&1 || $engine network create --subnet 10.77.0.0/24 fleet-net >/dev/null
    # Published on all of the node's addresses (its engine's default is loopback), so that the
    # host's port reaches it through the node.
    $engine run -d --name fleet-web --network fleet-net --ip 10.77.0.10 -p 0.0.0.0:18000:18000 $mounts -w /tmp "$IMAGE" \
      /usr/bin/python3 -m http.server 18000 >/dev/null
    $engine run -d --name fleet-worker --network fleet-net --ip 10.77.0.11 $mounts "$IMAGE" /bin/sleep 3600 >/dev/null
    local port=$((WEB_PORT_BASE + ${node#node}))
    wait_for 20 curl -sf --max-time 1 "http://127.0.0.1:$port/" || fail "$node: fleet-web does not answer on 127.0.0.1:$port"
  done
  say "workload: fleet-web (127.0.0.1:$((WEB_PORT_BASE + 1))…) and fleet-worker on $(echo $nodes | wc -w) nodes"
}

# Waits until every node's fleet-worker is paused (or, with "running", none is).
workers_paused() { for node in "$@"; do [ "$($DOCKER -H "unix://$RUN_DIR/$node/docker.sock" inspect -f '{{.State.Paused}}' fleet-worker)" = true ] || return 1; done; }
workers_running() { for node in "$@"; do [ "$($DOCKER -H "unix://$RUN_DIR/$node/docker.sock" inspect -f '{{.State.Paused}}' fleet-worker)" = false ] || return 1; done; }

# The agent: faultline's daemon inside the node, on the node's engine, with its own ledger and
# warden; on the node's unix socket and on https (mutual TLS, token) at the node's address.
start_agent() {  # start_agent NODE
  local tls=/hostrun/tls
  $DOCKER exec -d "$PREFIX-$1" sh -c "exec /opt/faultline/faultline daemon --state-dir /hostrun/faultline \
    --engine unix:///hostrun/docker.sock --log-level notice --tcp $(node_address "$1"):$AGENT_PORT --token-file $tls/token \
    --tls-cert $tls/$1.pem --tls-key $tls/$1.key --tls-ca $tls/ca.pem --probe-allow 10.77.0.0/24 >> /hostrun/agent.log 2>&1"
  wait_for 20 agent_healthy "$RUN_DIR/$1/faultline/daemon.sock" || fail "$1: its agent did not answer in 20 s"
}

# A campaign across the fleet, and what a coordinator and an agent dying mid-window leave.
check_campaigns() {
  local description=$RUN_DIR/fleet.yaml runs=$RUN_DIR/runs before after code
  workload
  before=$(fleet_state)
  code=0
  timeout 120 "$FAULTLINE_BIN" run faults/fleet-across-nodes.yaml --fleet "$description" --runs-dir "$runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/across.log" 2>&1 || code=$?
  [ $code -eq 0 ] || { tail -20 "$RUN_DIR/across.log" >&2; failed_samples "$runs" >&2; fail "fleet-across-nodes did not hold (exit $code)"; }
  after=$(fleet_state)
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "a container differs after fleet-across-nodes"; }
  local clock
  clock=$(grep -o "probe web-inside-node1 on node1 (clock [^)]*)" "$RUN_DIR/across.log" | head -1 || true)
  [ -n "$clock" ] || fail "fleet-across-nodes: no clock offset reported for the probe node1 ran"
  grep -q "### Probes on fleet nodes" "$runs"/*/summary.md || fail "fleet-across-nodes: summary.md has no 'Probes on fleet nodes'"
  [ "$(grep -c '^  pass  web-inside-node1' "$RUN_DIR/across.log")" -eq 21 ] || fail "fleet-across-nodes: the node1 probe was not judged in every window"
  local packets
  packets=$(python3 -c 'import json,sys; w=[w for w in json.load(open(sys.argv[1]))["windows"] if w["kind"]=="packet"]; print(w[0]["packets"]["seen"] if w and "packets" in w[0] else 0)' \
    "$(ls -td "$runs"/*/ | head -1)report.json")
  [ "$packets" -gt 0 ] || fail "fleet-across-nodes: report.json has no packet counts from node3's packet engine"
  # node2's http window: its probe saw the injected 503s (an impact with failing checks), then 200s again.
  local answered
  answered=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); w=[w["index"] for w in r["windows"] if w["kind"]=="http"]
f=[f for f in r["figures"] if w and f["window"]==w[0] and f["probe"]=="web-node2"]
print(round(f[0]["error_rate_during"] * 100) if f and not f[0].get("unaffected") and "recovered_ms" in f[0] else 0)' "$(ls -td "$runs"/*/ | head -1)report.json")
  [ "$answered" -gt 0 ] \
    || fail "fleet-across-nodes: web-node2 did not see node2's http fault (503s during its window, then 200s) in report.json"
  say "check: fleet-across-nodes held on 3 nodes (21 windows, $(grep -c '^  pass' "$RUN_DIR/across.log") checks); every container is as before; node3's packet engine saw $packets packets; node2's http fault failed $answered% of web-node2's checks during its window"
  say "check: node1's agent ran web-inside-node1 and streamed its samples back: $clock"

  # The coordinator SIGKILLed mid-window: each node's agent ends its fault by itself at the
  # window's end, well before the deadline (window + 10 s) + 2 s.
  cat > "$RUN_DIR/hold.yaml" <<'YAML'
name: fleet-hold
settings: { refresh_neighbours: false, recovery_limit: 1s }
targets:
  workers: { name: fleet-worker }
hypothesis:
  steady_state: { window: 100ms }
timeline:
  - { at: 0s, fault: { pause: { target: workers } }, for: 3s }
YAML
  "$FAULTLINE_BIN" run "$RUN_DIR/hold.yaml" --fleet "$description" --runs-dir "$runs" --state-dir "$RUN_DIR/coordinator" \
    > "$RUN_DIR/hold.log" 2>&1 &
  local coordinator=$!
  wait_for 20 workers_paused node1 node2 node3 || { kill -9 $coordinator; fail "the hold campaign did not pause every node's worker: $(tail -3 "$RUN_DIR/hold.log")"; }
  kill -9 $coordinator; wait $coordinator 2>/dev/null || true
  local killed
  killed=$(date +%s%N)
  wait_for 15 workers_running node1 node2 node3 || fail "a node kept its pause after the coordinator died"
  local took_ms=$(( ($(date +%s%N) - killed) / 1000000 ))
  after=$(fleet_state)
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "a container differs after the coordinator died"; }
  say "check: coordinator SIGKILLed mid-window: all 3 nodes reverted by themselves within $took_ms ms of the kill (window 3 s, deadline 13 s)"

  # An agent SIGKILLed mid-window: its warden reverts; the run aborts naming the node.
  sed -e 's/for: 3s/for: 6s/' -e 's/fleet-hold/fleet-agent-lost/' "$RUN_DIR/hold.yaml" > "$RUN_DIR/lost.yaml"
  code=0
  "$FAULTLINE_BIN" run "$RUN_DIR/lost.yaml" --fleet "$description" --runs-dir "$runs" --state-dir "$RUN_DIR/coordinator" \
    > "$RUN_DIR/lost.log" 2>&1 &
  coordinator=$!
  wait_for 20 workers_paused node1 node2 node3 || { kill -9 $coordinator; fail "the agent-lost campaign did not pause every worker"; }
  $DOCKER exec "$PREFIX-node2" pkill -9 -f "faultline daemon --state-dir /hostrun/faultline"
  wait $coordinator || code=$?
  [ $code -eq 3 ] || fail "the run with node2's agent killed exited $code, not 3 (aborted): $(tail -3 "$RUN_DIR/lost.log")"
  grep -q "node 'node2'" "$RUN_DIR/lost.log" || fail "the aborted run does not name node2: $(tail -3 "$RUN_DIR/lost.log")"
  wait_for 15 workers_running node1 node2 node3 || fail "node2's warden did not revert its pause after its agent died"
  after=$(fleet_state)
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "a container differs after an agent died"; }
  say "check: agent SIGKILLed mid-window: the run aborted naming node2, node2's warden reverted its pause, the others were ended"
  start_agent node2

  # The coordinator cut off from node3 mid-window (a filter rule in node3's namespace drops what
  # comes to its agent's port): the run aborts naming node3; node3's agent, alive but unreachable,
  # ends its pause at the window's end.
  local node3_address cut_rule="INPUT -p tcp --dport $AGENT_PORT -j DROP"
  node3_address=$(node_address node3)
  code=0
  "$FAULTLINE_BIN" run "$RUN_DIR/lost.yaml" --fleet "$description" --runs-dir "$runs" --state-dir "$RUN_DIR/coordinator" \
    > "$RUN_DIR/cut.log" 2>&1 &
  coordinator=$!
  wait_for 20 workers_paused node1 node2 node3 || { kill -9 $coordinator; fail "the cut-off campaign did not pause every worker"; }
  local cut
  cut=$(date +%s%N)
  $DOCKER exec "$PREFIX-node3" iptables -I $cut_rule
  wait $coordinator || code=$?
  wait_for 15 workers_running node3 || true
  local cut_ms=$(( ($(date +%s%N) - cut) / 1000000 ))
  $DOCKER exec "$PREFIX-node3" iptables -D $cut_rule
  [ $code -eq 3 ] && grep -q "node 'node3'" "$RUN_DIR/cut.log" || fail "the run cut off from node3 exited $code without naming it: $(tail -3 "$RUN_DIR/cut.log")"
  workers_running node3 || fail "node3 kept its pause after the coordinator was cut off"
  wait_for 20 curl -sf --max-time 2 --cacert "$RUN_DIR/certs/ca.pem" --cert "$RUN_DIR/certs/coordinator.pem" --key "$RUN_DIR/certs/coordinator.key" \
    -H "Authorization: Bearer $(cat "$RUN_DIR/token")" "https://$node3_address:$AGENT_PORT/v1/health" \
    || fail "node3's agent did not answer again once the cut was lifted"
  after=$(fleet_state)
  [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "a container differs after node3 was cut off"; }
  say "check: coordinator cut off from node3 mid-window: the run aborted naming node3; node3's agent ended its pause by itself ($cut_ms ms after the cut; window 6 s)"

  # Refusals before anything is injected: an unknown node, an unreachable agent.
  local out
  sed 's/  workers: { name: fleet-worker }/  workers: { name: fleet-worker, node: node9 }/' "$RUN_DIR/hold.yaml" > "$RUN_DIR/unknown.yaml"
  code=0; out=$("$FAULTLINE_BIN" run "$RUN_DIR/unknown.yaml" --fleet "$description" --runs-dir "$runs" --state-dir "$RUN_DIR/coordinator" 2>&1) || code=$?
  [ $code -eq 2 ] && grep -q "names node 'node9', which the fleet does not have; did you mean 'node1'?" <<<"$out" \
    || fail "an unknown node: exit $code: $out"
  sed "s|https://$node3_address:$AGENT_PORT|https://$node3_address:$((AGENT_PORT + 8))|" "$description" > "$RUN_DIR/broken-fleet.yaml"
  code=0; out=$("$FAULTLINE_BIN" run "$RUN_DIR/hold.yaml" --fleet "$RUN_DIR/broken-fleet.yaml" --runs-dir "$runs" --state-dir "$RUN_DIR/coordinator" 2>&1) || code=$?
  [ $code -eq 3 ] && grep -q "nothing was injected: node 'node3': GET /v1/health" <<<"$out" || fail "an unreachable agent: exit $code: $out"
  # A coordinator whose certificate another CA signed: every agent refuses it in the handshake.
  "$FAULTLINE_BIN" certs "$RUN_DIR/other-ca" --coordinator intruder 2>/dev/null
  sed "s|cert: certs/coordinator.pem, key: certs/coordinator.key|cert: other-ca/intruder.pem, key: other-ca/intruder.key|" "$description" > "$RUN_DIR/intruder-fleet.yaml"
  code=0; out=$("$FAULTLINE_BIN" run "$RUN_DIR/hold.yaml" --fleet "$RUN_DIR/intruder-fleet.yaml" --runs-dir "$runs" --state-dir "$RUN_DIR/coordinator" 2>&1) || code=$?
  [ $code -eq 3 ] && grep -q "nothing was injected: node 'node1': GET /v1/health: TLS with https://" <<<"$out" || fail "a foreign certificate: exit $code: $out"
  # The agent said why, in one line of its log.
  grep -q "refused a coordinator's TLS connection: its certificate is not signed by this agent's CA" "$RUN_DIR/node1/agent.log" \
    || fail "node1's agent did not log the refused certificate: $(tail -3 "$RUN_DIR/node1/agent.log")"
  workers_running node1 node2 node3 || fail "a refused run paused a worker"
  say "check: an unknown node, an unreachable agent and a coordinator certificate from another CA are refused in one line each; nothing injected"

  # A daemon as the coordinator (`daemon --fleet`): a campaign submitted to it acts on every node;
  # its /metrics count the faults by node. Stopped with SIGTERM (down also stops it after a failure).
  local daemon_dir=$RUN_DIR/coordinator-daemon
  "$FAULTLINE_BIN" daemon --state-dir "$daemon_dir" --fleet "$description" --log-level notice > "$RUN_DIR/coordinator-daemon.log" 2>&1 &
  local daemon_pid=$!
  wait_for 20 curl -sf --max-time 2 --unix-socket "$daemon_dir/daemon.sock" http://faultline/v1/health \
    || fail "the coordinator daemon did not answer: $(tail -3 "$RUN_DIR/coordinator-daemon.log")"
  sed -e 's/for: 3s/for: 1s/' -e 's/fleet-hold/fleet-submitted/' "$RUN_DIR/hold.yaml" > "$RUN_DIR/submitted.yaml"
  timeout 60 "$FAULTLINE_BIN" submit "$RUN_DIR/submitted.yaml" --wait --socket "$daemon_dir/daemon.sock" > "$RUN_DIR/submitted.log" 2>&1 \
    || fail "the campaign submitted to the coordinator daemon did not hold: $(tail -5 "$RUN_DIR/submitted.log")"
  local metrics
  metrics=$(curl -sf --unix-socket "$daemon_dir/daemon.sock" http://faultline/metrics)
  for node in node1 node2 node3; do
    grep -q "faultline_node_faults_reverted_total{node=\"$node\",kind=\"pause\"} 1" <<<"$metrics" \
      || fail "the coordinator daemon's /metrics do not count node $node's pause: $(grep node_faults <<<"$metrics")"
  done
  kill -TERM $daemon_pid; wait $daemon_pid 2>/dev/null || true
  workers_running node1 node2 node3 || fail "a worker is paused after the submitted campaign"
  say "check: a daemon coordinating the fleet (daemon --fleet) ran a submitted campaign on 3 nodes; /metrics count each node's faults"

  # recover --fleet: a long fault whose coordinator was SIGKILLed is ended now, named by node.
  "$FAULTLINE_BIN" inject pause fleet-worker --for 60s --node node1 --fleet "$description" > "$RUN_DIR/long.log" 2>&1 &
  coordinator=$!
  wait_for 20 workers_paused node1 || { kill -9 $coordinator; fail "inject --node did not pause node1's worker: $(cat "$RUN_DIR/long.log")"; }
  kill -9 $coordinator; wait $coordinator 2>/dev/null || true
  out=$("$FAULTLINE_BIN" recover --fleet "$description" 2>&1) || fail "recover --fleet failed: $out"
  grep -q "pause on fleet-worker (node node1): restored" <<<"$out" || fail "recover --fleet did not end node1's pause: $out"
  workers_running node1 || fail "node1's worker is still paused after recover --fleet"
  out=$("$FAULTLINE_BIN" recover --fleet "$description" 2>&1)
  grep -q "nothing to recover: no node's agent holds a fault" <<<"$out" || fail "a second recover --fleet found something: $out"
  say "check: recover --fleet ended a 60 s fault its SIGKILLed coordinator left, naming the node; a second finds nothing"
}

check() {
  up 3
  trap 'status=$?; down; exit $status' EXIT
  check_campaigns
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
    wait_for 10 grep -q '"injected"' "$log" || { kill -9 $coordinator 2>/dev/null || true; fail "$node: inject --node did not inject: $(cat "$log")"; }
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
  # node2's TLS engine refuses a coordinator whose files come from another CA: one line naming the
  # node and TLS, nothing listed.
  "$FAULTLINE_BIN" certs "$RUN_DIR/foreign" --node elsewhere=10.0.0.1 --coordinator coordinator >/dev/null 2>&1
  mkdir -p "$RUN_DIR/foreign/engine" && cp "$RUN_DIR/foreign/ca.pem" "$RUN_DIR/foreign/engine/ca.pem"
  cp "$RUN_DIR/foreign/coordinator.pem" "$RUN_DIR/foreign/engine/cert.pem" && cp "$RUN_DIR/foreign/coordinator.key" "$RUN_DIR/foreign/engine/key.pem"
  sed "s|engine_tls: certs/engine|engine_tls: foreign/engine|" "$RUN_DIR/fleet.yaml" > "$RUN_DIR/foreign-fleet.yaml"
  if listed=$("$FAULTLINE_BIN" targets --fleet "$RUN_DIR/foreign-fleet.yaml" 2>&1); then fail "targets listed node2 with a foreign CA's files: $listed"; fi
  grep -q "node2" <<<"$listed" && grep -q "TLS" <<<"$listed" || fail "the foreign-CA refusal does not name node2 and TLS: $listed"
  say "check: node2's TLS engine refused a foreign CA's coordinator: $(head -1 <<<"$listed")"
  fuzz "${FAULTLINE_FUZZ_SECONDS:-45}"
  # The fan-out and hop figures as a gate (short: 10 rounds).
  "$(bench_binary)" fleet --fleet "$RUN_DIR/fleet.yaml" --rounds 10 --connections 10 --gate > "$RUN_DIR/bench.log" 2>&1 \
    || { cat "$RUN_DIR/bench.log" >&2; fail "the fleet benchmark's gate was missed"; }
  say "check: fleet benchmark gate held ($(grep -c 'held:' "$RUN_DIR/bench.log") criteria)"
  check_swarm
}

# A Swarm across the nodes: node1 the manager, the others workers (joined over the nodes'
# network), and the service fleet-swarm-web with 3 replicas of the test image (its binaries bind-
# mounted read-only, as every test container here; --no-resolve-image: there is no registry).
# A Swarm across the nodes: node1 its manager, the others workers.
swarm_init() {
  local manager="$DOCKER -H unix://$RUN_DIR/node1/docker.sock" address token node
  address=$(node_address node1)
  $manager swarm init --advertise-addr "$address" --listen-addr "$address:2377" >/dev/null
  token=$($manager swarm join-token -q worker)
  for node in $(node_names | sed "s/^$PREFIX-//" | grep -vx node1); do
    $DOCKER -H "unix://$RUN_DIR/$node/docker.sock" swarm join --token "$token" --advertise-addr "$(node_address "$node")" "$address:2377" >/dev/null
  done
}

# The nodes the Swarm reference stack runs on (scripts/stack.sh up --swarm): 3 nodes with their
# agents, in one Swarm; what is already up is kept.
stack_nodes() {
  [ -n "$(node_names)" ] || up 3
  [ "$(node_names | wc -l)" -ge 3 ] || fail "the Swarm stack needs 3 nodes; $(node_names | wc -l) are up: scripts/fleet.sh down first"
  if [ "$($DOCKER -H "unix://$RUN_DIR/node1/docker.sock" info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
    swarm_init
    say "swarm: node1 manages $(node_names | wc -l) nodes"
  fi
}

swarm() {
  local manager="$DOCKER -H unix://$RUN_DIR/node1/docker.sock"
  swarm_init
  $manager service create --detach --name fleet-swarm-web --replicas 3 --no-resolve-image \
    --mount type=bind,src=/usr,dst=/usr,readonly --mount type=bind,src=/lib,dst=/lib,readonly \
    --mount type=bind,src=/lib64,dst=/lib64,readonly --mount type=bind,src=/bin,dst=/bin,readonly \
    "$IMAGE" /bin/sleep 3600 >/dev/null
  wait_for 60 swarm_replicas_running 3 || fail "fleet-swarm-web did not reach 3 running replicas in 60 s: $($manager service ps fleet-swarm-web --no-trunc 2>&1 | tail -5)"
  say "swarm: node1 manages $(echo "$(node_names)" | wc -l) nodes; fleet-swarm-web runs 3 replicas"
}

swarm_replicas_running() { [ "$($DOCKER -H "unix://$RUN_DIR/node1/docker.sock" service ls --filter name=fleet-swarm-web --format '{{.Replicas}}')" = "$1/$1" ]; }

# Whether the task of fleet-swarm-web in slot $1 is paused, on whichever node runs it.
swarm_slot_paused() {
  local node
  for node in $(node_names | sed "s/^$PREFIX-//"); do
    $DOCKER -H "unix://$RUN_DIR/$node/docker.sock" ps --filter "label=com.docker.swarm.task.name" --filter status=paused \
      --format '{{.Label "com.docker.swarm.task.name"}}' | grep -q "^fleet-swarm-web\.$1\." && return 0
  done
  return 1
}

# Swarm tasks as targets: one replica (slot 2) paused through its node's agent and restored; a
# selector that would pause every replica at once is refused before anything is injected.
check_swarm() {
  swarm
  cat > "$RUN_DIR/swarm.yaml" <<'YAML'
name: fleet-swarm-slot
settings: { recovery_limit: 1s }
targets:
  replica: { swarm: { service: fleet-swarm-web, slot: 2 } }
hypothesis:
  steady_state: { window: 100ms }
timeline:
  - { at: 0s, fault: { pause: { target: replica } }, for: 2s }
YAML
  local code=0 out
  timeout 60 "$FAULTLINE_BIN" run "$RUN_DIR/swarm.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/swarm.log" 2>&1 &
  local run=$!
  wait_for 15 swarm_slot_paused 2 || { kill $run 2>/dev/null || true; cat "$RUN_DIR/swarm.log" >&2; fail "the replica in slot 2 was not paused"; }
  for slot in 1 3; do ! swarm_slot_paused $slot || fail "slot $slot was paused too"; done
  wait $run || code=$?
  [ $code -eq 0 ] || { tail -20 "$RUN_DIR/swarm.log" >&2; fail "the swarm slot campaign did not hold (exit $code)"; }
  ! swarm_slot_paused 2 || fail "the replica in slot 2 is still paused after the run"
  sed 's/replica: { swarm: { service: fleet-swarm-web, slot: 2 } }/replica: { swarm: { service: fleet-swarm-web } }/' "$RUN_DIR/swarm.yaml" > "$RUN_DIR/swarm-all.yaml"
  code=0
  out=$("$FAULTLINE_BIN" run "$RUN_DIR/swarm-all.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" --state-dir "$RUN_DIR/coordinator" 2>&1) || code=$?
  [ $code -ne 0 ] && grep -q "every running replica of service 'fleet-swarm-web' (3)" <<<"$out" \
    || fail "a selector pausing every replica was not refused (exit $code): $out"
  for slot in 1 2 3; do ! swarm_slot_paused $slot || fail "slot $slot is paused after the refused run"; done
  say "check: swarm: slot 2 of fleet-swarm-web paused through its node's agent and restored; every replica at once refused: $(grep -o "target 'replica' would act.*at once" <<<"$out")"

  # A protected node's tasks do not count: with node3 labelled faultline.protect, every replica
  # at once means those on node1 and node2 only.
  local manager="$DOCKER -H unix://$RUN_DIR/node1/docker.sock" on_node3 expected
  on_node3=$($DOCKER -H "unix://$RUN_DIR/node3/docker.sock" ps -q --filter label=com.docker.swarm.service.name=fleet-swarm-web | wc -l)
  expected=$((3 - on_node3))
  $manager node update --label-add faultline.protect=true node3 >/dev/null
  code=0
  out=$("$FAULTLINE_BIN" run "$RUN_DIR/swarm-all.yaml" --fleet "$RUN_DIR/fleet.yaml" --dry-run 2>&1) || code=$?
  $manager node update --label-rm faultline.protect node3 >/dev/null
  [ $code -ne 0 ] && grep -q "every running replica of service 'fleet-swarm-web' ($expected)" <<<"$out" \
    || fail "with node3 protected, its $on_node3 replica(s) still counted (exit $code): $out"

  # A service already short of tasks is refused: 2 wanted, at most 1 per node, only node1 allowed.
  $manager service create --detach --name fleet-swarm-short --replicas 2 --replicas-max-per-node 1 --constraint node.hostname==node1 \
    --no-resolve-image --mount type=bind,src=/usr,dst=/usr,readonly --mount type=bind,src=/lib,dst=/lib,readonly \
    --mount type=bind,src=/lib64,dst=/lib64,readonly --mount type=bind,src=/bin,dst=/bin,readonly "$IMAGE" /bin/sleep 3600 >/dev/null
  wait_for 60 sh -c "[ \"\$($manager service ls --filter name=fleet-swarm-short --format '{{.Replicas}}')\" = '1/2 (max 1 per node)' ]" \
    || fail "fleet-swarm-short did not settle at 1 of 2 replicas: $($manager service ls --filter name=fleet-swarm-short 2>&1)"
  sed 's/replica: { swarm: { service: fleet-swarm-web, slot: 2 } }/replica: { swarm: { service: fleet-swarm-short } }/' "$RUN_DIR/swarm.yaml" > "$RUN_DIR/swarm-short.yaml"
  code=0
  out=$("$FAULTLINE_BIN" run "$RUN_DIR/swarm-short.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" --state-dir "$RUN_DIR/coordinator" 2>&1) || code=$?
  $manager service rm fleet-swarm-short >/dev/null
  [ $code -eq 2 ] && grep -q "service 'fleet-swarm-short' is already degraded (1 of 2 tasks running)" <<<"$out" \
    || fail "a degraded service was not refused (exit $code): $out"
  for slot in 1 2 3; do ! swarm_slot_paused $slot || fail "slot $slot is paused after the refused runs"; done
  say "check: swarm: node3 protected by its label keeps its replica out (every replica = $expected); a degraded service refused: $(grep -o "service 'fleet-swarm-short' is already degraded ([^)]*)" <<<"$out")"

  # A task killed for a window is left to Swarm: its replacement runs, the old container is not
  # started again beside it (that would be a fourth replica outside the service).
  local killed killed_node
  read -r killed_node killed <<<"$(swarm_slot_container 1)"
  [ -n "$killed" ] || fail "no container runs slot 1 of fleet-swarm-web"
  sed 's/fault: { pause: { target: replica } }, for: 2s/fault: { kill: { target: replica } }, for: 2s/; s/slot: 2 }/slot: 1 }/' "$RUN_DIR/swarm.yaml" > "$RUN_DIR/swarm-kill.yaml"
  code=0
  timeout 60 "$FAULTLINE_BIN" run "$RUN_DIR/swarm-kill.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/swarm-kill.log" 2>&1 || code=$?
  grep -q "left to Swarm (service fleet-swarm-web replaces the task)" "$RUN_DIR/swarm-kill.log" \
    || { tail -20 "$RUN_DIR/swarm-kill.log" >&2; fail "the killed task's window does not say it was left to Swarm (exit $code)"; }
  wait_for 60 swarm_replicas_running 3 || fail "fleet-swarm-web did not run 3 replicas again within 60 s of the kill"
  sleep 2
  [ "$($DOCKER -H "unix://$RUN_DIR/$killed_node/docker.sock" inspect -f '{{.State.Running}}' "$killed")" = false ] \
    || fail "the killed task's old container runs again beside its replacement"
  local running=0 node
  for node in $(node_names | sed "s/^$PREFIX-//"); do
    running=$((running + $($DOCKER -H "unix://$RUN_DIR/$node/docker.sock" ps -q --filter label=com.docker.swarm.service.name=fleet-swarm-web | wc -l)))
  done
  [ "$running" -eq 3 ] || fail "$running containers of fleet-swarm-web run after the kill (3 wanted)"
  # Time to reschedule: faultline's figure (from the kill to its poll seeing the replacement run)
  # against Swarm's task records (from the old task's end to the new one's running); the first
  # counts from before the kill and polls every 200 ms, so it is at most ~2 s above the second.
  local report figures
  report=$(ls -t "$RUN_DIR"/runs/*/report.json | head -1)
  figures=$(python3 - "$report" 2>&1 <<'PY'
import json, sys
window = json.load(open(sys.argv[1]))["windows"][0]
r = window.get("reschedule") or {}
seen, swarm = r.get("seen_after_ms"), r.get("swarm_after_ms")
if not r.get("new_task") or not r.get("node") or seen is None or swarm is None:
    sys.exit(f"no complete reschedule figure in window #{window['index']}: {r}")
if not (-100 <= seen - swarm <= 2500):
    sys.exit(f"faultline saw the replacement running after {seen:.0f} ms, Swarm's records say {swarm:.0f} ms: they do not agree")
print(f"slot {r['slot']} rescheduled on {r['node']}: running {seen:.0f} ms after the kill (faultline), {swarm:.0f} ms after the old task ended (Swarm's task records)")
PY
) || fail "time to reschedule: $figures"
  grep -q "### Swarm reschedules" "$(dirname "$report")/summary.md" || fail "summary.md has no Swarm reschedules section"
  say "check: swarm: slot 1's task killed for a window was left to Swarm: its replacement runs, the old container stays stopped, 3 containers run; $figures"
  check_swarm_drain
  check_swarm_stack
  check_swarm_isolate
}

# Whether node $1 opens a TCP connection to node $2's agent port within a second.
node_reaches() { $DOCKER exec "$PREFIX-$1" timeout 1 bash -c "</dev/tcp/$(node_address "$2")/$AGENT_PORT" 2>/dev/null; }
node_isolate_rules() { $DOCKER exec "$PREFIX-$1" iptables -S | grep -c 'faultline:' || true; }
node_isolated() { [ "$(node_isolate_rules "$1")" "$2" 0 ]; }   # node_isolated NODE -gt|-eq

# A campaign of one node fault for 6 s and no container targets: node_fault_campaign NAME FAULT.
node_fault_campaign() {
  printf 'name: %s\nsettings: { recovery_limit: 1s }\nhypothesis:\n  steady_state: { window: 100ms }\ntimeline:\n  - { at: 0s, fault: %s, for: 6s }\n' "$1" "$2"
}

# A node cut off from the others through its own agent: node1 and node2 cannot reach it (nor it
# them) while this machine, its coordinator, still can; the marked rules are gone at the window's
# end, and with node3's agent SIGKILLed mid-window its warden deletes them.
check_swarm_isolate() {
  node_fault_campaign fleet-swarm-isolate "{ isolate: { node: node3 } }" > "$RUN_DIR/isolate.yaml"
  node_reaches node1 node3 && node_reaches node3 node2 || fail "node1 and node3 do not reach each other before the isolate check"
  local code=0 run
  timeout 60 "$FAULTLINE_BIN" run "$RUN_DIR/isolate.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/isolate.log" 2>&1 &
  run=$!
  wait_for 15 node_isolated node3 -gt \
    || { kill $run 2>/dev/null || true; cat "$RUN_DIR/isolate.log" >&2; fail "node3 was not isolated"; }
  ! node_reaches node1 node3 || fail "node1 still reaches node3 while it is isolated"
  ! node_reaches node3 node2 || fail "node3 still reaches node2 while it is isolated"
  timeout 2 bash -c "</dev/tcp/$(node_address node3)/$AGENT_PORT" || fail "this machine (the coordinator) lost node3 while node3 was isolated from the other nodes"
  wait $run || code=$?
  [ $code -eq 0 ] && grep -q "isolate from .* on node3 (node node3)" "$RUN_DIR/isolate.log" \
    || { tail -20 "$RUN_DIR/isolate.log" >&2; fail "the isolate campaign did not hold on node3's own agent (exit $code)"; }
  [ "$(node_isolate_rules node3)" -eq 0 ] || fail "node3 keeps $(node_isolate_rules node3) faultline rules after the window"
  node_reaches node1 node3 && node_reaches node3 node2 || fail "node3 and the others do not reach each other after the window"
  say "check: swarm: node3 isolated for 6 s through its own agent (node1 and node2 cut off both ways, the coordinator not); its rules gone at the window's end"

  sed 's/for: 6s/for: 60s/' "$RUN_DIR/isolate.yaml" > "$RUN_DIR/isolate-lost.yaml"
  "$FAULTLINE_BIN" run "$RUN_DIR/isolate-lost.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/isolate-lost.log" 2>&1 &
  run=$!
  wait_for 15 node_isolated node3 -gt \
    || { kill -9 $run 2>/dev/null || true; cat "$RUN_DIR/isolate-lost.log" >&2; fail "node3 was not isolated (agent-lost check)"; }
  local killed
  killed=$(date +%s%N)
  $DOCKER exec "$PREFIX-node3" pkill -9 -f "faultline daemon --state-dir /hostrun/faultline" \
    || { kill -9 $run 2>/dev/null || true; fail "SIGKILL of node3's agent mid-isolate: pkill found no agent"; }
  code=0
  wait $run || code=$?
  [ $code -eq 3 ] && grep -q "node 'node3'" "$RUN_DIR/isolate-lost.log" \
    || { tail -5 "$RUN_DIR/isolate-lost.log" >&2; fail "the isolate run with node3's agent killed exited $code, not 3 naming node3"; }
  wait_for 20 node_isolated node3 -eq \
    || fail "node3's warden did not delete the isolate's rules after its agent died ($(node_isolate_rules node3) left)"
  say "check: swarm: node3's agent SIGKILLed mid-isolate: the run aborted naming node3, its warden deleted the rules within $(( ($(date +%s%N) - killed) / 1000000 )) ms"
  start_agent node3
}

# The reference stack as a Swarm stack (scripts/stack.sh up --swarm) on these nodes: a backend
# replica SIGKILLed, a backend's node drained (runs in flight) and the data node isolated from the
# backends' nodes hold; the regression build (retries and buffering off) fails the replica kill.
check_swarm_stack() {
  local code out campaign
  scripts/stack.sh up --swarm > "$RUN_DIR/stack-up.log" 2>&1 || { tail -30 "$RUN_DIR/stack-up.log" >&2; fail "the Swarm stack did not come up"; }
  for campaign in faults/swarm/backend-replica-killed.yaml faults/swarm/node-drained-runs-in-flight.yaml faults/swarm/db-node-partitioned.yaml; do
    code=0
    timeout 180 "$FAULTLINE_BIN" run "$campaign" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
      --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/stack-campaign.log" 2>&1 || code=$?
    [ $code -eq 0 ] || { tail -12 "$RUN_DIR/stack-campaign.log" >&2; fail "swarm stack: $campaign did not hold (exit $code)"; }
    say "check: swarm stack: $campaign held: $(python3 "$PWD/scripts/interrupted-runs.py" "$(ls -td "$RUN_DIR"/runs/*/ | head -1)journal.jsonl")"
  done
  # faultline's recovery figures against a dense prober through the balancer and the engines' events.
  "$(bench_binary)" swarm-recovery --fleet "$RUN_DIR/fleet.yaml" --rounds 2 --gate > "$RUN_DIR/swarm-recovery.log" 2>&1 \
    || { cat "$RUN_DIR/swarm-recovery.log" >&2; fail "swarm stack: faultline-bench swarm-recovery missed its gate"; }
  say "check: swarm stack: faultline-bench swarm-recovery: $(grep -c 'gate swarm-recovery: held' "$RUN_DIR/swarm-recovery.log") gates held; $(grep -o "faultline's recovery within.*" "$RUN_DIR/swarm-recovery.log")"
  scripts/stack.sh up --swarm --regression > "$RUN_DIR/stack-up.log" 2>&1 || { tail -30 "$RUN_DIR/stack-up.log" >&2; fail "the Swarm stack's regression build did not come up"; }
  # The regression shows only in a run the kill meets in flight; the campaign leaves ~0.3 s of each
  # ~3.5 s sample without one, so a kill in that gap gets up to two more attempts (a miss is ~1 in 12).
  local attempt
  for attempt in 1 2 3; do
    code=0
    timeout 180 "$FAULTLINE_BIN" run faults/swarm/backend-replica-killed.yaml --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
      --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/stack-campaign.log" 2>&1 || code=$?
    out=$(grep -E "^  FAIL  run-in-flight" "$RUN_DIR/stack-campaign.log" | head -1 || true)
    [ $code -eq 1 ] && [ -n "$out" ] && break
    # Anything but "held" or "failed on run-in-flight" is a failure of its own, not a kill in the gap.
    [ $code -eq 0 ] && [ $attempt -lt 3 ] || { tail -12 "$RUN_DIR/stack-campaign.log" >&2; fail "swarm stack: the regression build was not caught by run-in-flight (attempt $attempt, exit $code)"; }
    say "swarm stack: attempt $attempt: the kill met no run in flight (the regression build held); again"
  done
  say "check: swarm stack: the regression build fails backend-replica-killed (attempt $attempt): ${out#  FAIL  }"
}

node_availability() { $DOCKER -H "unix://$RUN_DIR/node1/docker.sock" node inspect -f '{{.Spec.Availability}}' "$1"; }
node_is() { [ "$(node_availability "$1")" = "$2" ]; }
web_tasks_on() { $DOCKER -H "unix://$RUN_DIR/$1/docker.sock" ps -q --filter label=com.docker.swarm.service.name=fleet-swarm-web | wc -l; }
no_web_tasks_on() { [ "$(web_tasks_on "$1")" -eq 0 ]; }

# A node drained for a window through the manager's agent: its tasks move away, its availability
# comes back exactly (active) when the window ends; the same with the manager's agent SIGKILLed
# mid-drain: the run aborts naming node1 and node1's warden sets node3 back.
check_swarm_drain() {
  # No container targets: a selector for tasks the drain is moving could match nothing at plan time.
  node_fault_campaign fleet-swarm-drain "{ drain: { node: node3 } }" > "$RUN_DIR/drain.yaml"
  [ "$(node_availability node3)" = active ] || fail "node3 is $(node_availability node3) before the drain check"
  if [ "$(web_tasks_on node1)" -eq 0 ] && [ "$(web_tasks_on node2)" -eq 0 ]; then fail "every fleet-swarm-web task runs on node3"; fi
  local code=0 run
  timeout 60 "$FAULTLINE_BIN" run "$RUN_DIR/drain.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/drain.log" 2>&1 &
  run=$!
  wait_for 15 node_is node3 drain \
    || { kill $run 2>/dev/null || true; cat "$RUN_DIR/drain.log" >&2; fail "node3 was not drained"; }
  wait_for 20 no_web_tasks_on node3 \
    || fail "node3 still runs fleet-swarm-web tasks while drained"
  wait $run || code=$?
  [ $code -eq 0 ] || { tail -20 "$RUN_DIR/drain.log" >&2; fail "the drain campaign did not hold (exit $code)"; }
  grep -q "drain on node3 (node node1)" "$RUN_DIR/drain.log" || { tail -20 "$RUN_DIR/drain.log" >&2; fail "the drain window does not name node3 and the manager's node"; }
  [ "$(node_availability node3)" = active ] || fail "node3 is $(node_availability node3) after the drain's window, not active"
  wait_for 60 swarm_replicas_running 3 || fail "fleet-swarm-web did not run 3 replicas after the drain"
  say "check: swarm: node3 drained for 6 s through node1's agent (its tasks moved away), set back to active at the window's end"

  # The manager's agent SIGKILLed mid-drain: the coordinator's watch aborts the run naming node1;
  # node1's warden finds the drain's owner dead and sets node3 back from the ledger alone.
  sed 's/for: 6s/for: 60s/' "$RUN_DIR/drain.yaml" > "$RUN_DIR/drain-lost.yaml"
  code=0
  "$FAULTLINE_BIN" run "$RUN_DIR/drain-lost.yaml" --fleet "$RUN_DIR/fleet.yaml" --runs-dir "$RUN_DIR/runs" \
    --state-dir "$RUN_DIR/coordinator" > "$RUN_DIR/drain-lost.log" 2>&1 &
  run=$!
  wait_for 15 node_is node3 drain \
    || { kill -9 $run 2>/dev/null || true; cat "$RUN_DIR/drain-lost.log" >&2; fail "node3 was not drained (agent-lost check)"; }
  local killed
  killed=$(date +%s%N)
  $DOCKER exec "$PREFIX-node1" pkill -9 -f "faultline daemon --state-dir /hostrun/faultline" || {
    local status=$?
    $DOCKER exec "$PREFIX-node1" ps -eo pid,args >&2 || true
    tail -20 "$RUN_DIR/node1/agent.log" >&2 || true
    kill -9 $run 2>/dev/null || true
    fail "SIGKILL of node1's agent mid-drain: pkill exited $status (was the agent running? its processes and log above)"
  }
  wait $run || code=$?
  [ $code -eq 3 ] && grep -q "node 'node1'" "$RUN_DIR/drain-lost.log" \
    || { tail -5 "$RUN_DIR/drain-lost.log" >&2; fail "the drain run with node1's agent killed exited $code, not 3 naming node1"; }
  wait_for 20 node_is node3 active \
    || fail "node1's warden did not set node3 back after its agent died (node3 is $(node_availability node3))"
  say "check: swarm: node1's agent SIGKILLed mid-drain: the run aborted naming node1, its warden set node3 back to active within $(( ($(date +%s%N) - killed) / 1000000 )) ms"
  start_agent node1
}

# The node and id of the running container of fleet-swarm-web's task in slot $1.
swarm_slot_container() {
  local node id
  for node in $(node_names | sed "s/^$PREFIX-//"); do
    id=$($DOCKER -H "unix://$RUN_DIR/$node/docker.sock" ps --filter "label=com.docker.swarm.service.name=fleet-swarm-web" \
      --format '{{.ID}} {{.Label "com.docker.swarm.task.name"}}' | awk -v slot="fleet-swarm-web.$1." 'index($2, slot) == 1 { print $1 }' | head -1)
    [ -n "$id" ] && { echo "$node $id"; return 0; }
  done
  return 0
}

# faultline-bench beside the faultline binary the nodes run.
bench_binary() { echo "$(dirname "$FAULTLINE_BIN")/faultline-bench"; }

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
  local name=$PREFIX-$node dir=$RUN_DIR/$node address port=$((AGENT_PORT + 1)) certs=$RUN_DIR/certs
  address=$(node_address "$node")
  mkdir -p "$dir/fuzz" && chmod 700 "$dir/fuzz"
  local before
  before=$(snapshot "$node" fleet-check-web)
  # Over https with mutual TLS, as a coordinator reaches an agent (the node's certificate and token).
  $DOCKER exec -d "$name" sh -c "exec /opt/faultline/faultline daemon --state-dir /hostrun/fuzz/state --engine unix:///hostrun/docker.sock \
    --tcp $address:$port --token-file /hostrun/tls/token --tls-cert /hostrun/tls/$node.pem --tls-key /hostrun/tls/$node.key \
    --tls-ca /hostrun/tls/ca.pem --probe-allow 127.0.0.1 --log-level notice > /hostrun/fuzz/daemon.log 2>&1"
  local tls=(--cacert "$certs/ca.pem" --cert "$certs/coordinator.pem" --key "$certs/coordinator.key")
  wait_for 20 curl -sf --max-time 2 "${tls[@]}" -H "Authorization: Bearer $(cat "$RUN_DIR/token")" "https://$address:$port/v1/health" \
    || fail "fuzz: the agent on https://$address:$port did not answer in 20 s"
  local status=0
  timeout $((seconds + 30)) "$venv/bin/schemathesis" run docs/openapi.yaml --url "https://$address:$port" \
    --tls-verify "$certs/ca.pem" --request-cert "$certs/coordinator.pem" --request-cert-key "$certs/coordinator.key" \
    --header "Authorization: Bearer $(cat "$RUN_DIR/token")" --max-time "$seconds" --seed 7 --request-timeout 20 \
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
  workload) workload ;;
  check) if [ "${2:-}" = swarm ]; then   # only the Swarm checks (3 nodes), to chase one of them
           up 3; trap 'status=$?; down; exit $status' EXIT; check_swarm
         else check; fi ;;
  swarm) up "${2:-3}"; swarm ;;
  stack-nodes) stack_nodes ;;
  bench) up 3; trap 'status=$?; down; exit $status' EXIT
         "$(bench_binary)" fleet --fleet "$RUN_DIR/fleet.yaml" "${@:2}"
         # Then the Swarm reference stack on the same nodes: recovery through its balancer.
         scripts/stack.sh up --swarm > "$RUN_DIR/stack-up.log" 2>&1 || { tail -30 "$RUN_DIR/stack-up.log" >&2; fail "the Swarm stack did not come up"; }
         "$(bench_binary)" swarm-recovery --fleet "$RUN_DIR/fleet.yaml" $([[ " ${*:2} " == *" --gate "* ]] && echo --gate) ;;
  fuzz) shift; up 1; trap 'status=$?; down; exit $status' EXIT
        $DOCKER -H "unix://$RUN_DIR/node1/docker.sock" run -d --name fleet-check-web \
          -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /etc:/etc:ro "$IMAGE" /bin/sleep 600 >/dev/null
        fuzz "${1:-300}" ;;
  *) echo "usage: scripts/fleet.sh up [N] | swarm [N] | status | workload | down | check [swarm] | bench [--gate] | fuzz [SECONDS]" >&2; exit 2 ;;
esac
