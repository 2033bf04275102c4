#!/usr/bin/env bash
# Installs and starts what the tests use besides Docker: a Redis on loopback (Debian's redis-server)
# and Debian's Chromium for the browser tests.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"
port="${QUICKTRY_TEST_REDIS_PORT:-6390}"

task="test services"
source "$repo/scripts/lib.sh"

ensure_command redis-server redis-server
ensure_command chromium chromium
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  step "starting redis-server for the tests on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$state/redis-test.log" --pidfile "$state/redis-test.pid"
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
