#!/usr/bin/env bash
# The reference stack (compose/): bring it up, take it down, hand out tokens.
#   scripts/stack.sh up [--regression]   set-up, image build, docker-compose up, wait until /health is ok
#                                        (--regression: BACKEND_RESILIENCE=off, retries and buffering off)
#   scripts/stack.sh down                remove the stack's containers, network and volume
#   scripts/stack.sh token [USER]        print a JWT for USER (default probe) from the auth service
#   scripts/stack.sh status              docker-compose ps and the backend's /health
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=faultline-stack/app:1
PROJECT=faultline-stack
compose() { docker-compose -p "$PROJECT" -f compose/docker-compose.yml -f compose/docker-compose.host.yml "$@"; }
say() { printf 'stack: %s\n' "$*"; }

wait_healthy() {
  local body=""
  for _ in $(seq 1 300); do
    body=$(curl -s --max-time 2 http://127.0.0.1:8000/health || true)
    case "$body" in *'"status": "ok"'*) say "backend healthy: $body"; return 0 ;; esac
    sleep 0.2
  done
  say "backend not healthy after 60 s: ${body:-no answer}" >&2
  compose logs --tail 30 >&2 || true
  return 1
}

case "${1:-}" in
  up)
    scripts/setup.sh
    say "building $IMAGE"
    DOCKER_BUILDKIT=0 /usr/bin/docker build -q -t "$IMAGE" compose >/dev/null
    if [ "${2:-}" = "--regression" ]; then
      export BACKEND_RESILIENCE=off
      say "regression build: BACKEND_RESILIENCE=off (no retries, no event buffering)"
    else
      export BACKEND_RESILIENCE=on
    fi
    compose up -d --remove-orphans 2>&1 | sed 's/^/stack: /'
    wait_healthy
    ;;
  down)
    compose down -v --remove-orphans 2>&1 | sed 's/^/stack: /'
    ;;
  token)
    curl -sf --max-time 5 -X POST -H 'content-type: application/json' -d "{\"user\":\"${2:-probe}\"}" http://127.0.0.1:8081/token \
      | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
    ;;
  status)
    compose ps
    curl -s --max-time 3 http://127.0.0.1:8000/health; echo
    ;;
  *)
    sed -n '2,8p' "$0" >&2
    exit 2
    ;;
esac
