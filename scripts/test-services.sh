#!/usr/bin/env bash
# Starts the servers the tests use besides Docker: a Redis on loopback (Debian's redis-server).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"
port="${QUICKTRY_TEST_REDIS_PORT:-6390}"

if ! command -v redis-server >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; then
    printf '\033[1;34m==>\033[0m installing redis-server (apt-get)\n'
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >"$state/apt-redis.log" 2>&1 \
      || { apt-get update -q >>"$state/apt-redis.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >>"$state/apt-redis.log" 2>&1; } \
      || { echo "installing redis-server failed, see $state/apt-redis.log" >&2; exit 1; }
  else
    echo "redis-server is missing: install it (Debian: apt-get install redis-server)" >&2
    exit 1
  fi
fi
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  printf '\033[1;34m==>\033[0m starting redis-server for the tests on 127.0.0.1:%s\n' "$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$state/redis-test.log" --pidfile "$state/redis-test.pid"
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
