#!/usr/bin/env bash
# Installs and starts what the tests use besides Docker: a Redis on loopback (Debian's redis-server)
# and Debian's Chromium for the browser tests.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"
port="${QUICKTRY_TEST_REDIS_PORT:-6390}"

install() {
  # install <command> <package...>: Debian's packages, when the command is missing.
  local command="$1"
  shift
  command -v "$command" >/dev/null 2>&1 && return
  if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
    echo "$command is missing: install it (Debian: apt-get install $*)" >&2
    exit 1
  fi
  printf '\033[1;34m==>\033[0m installing %s (apt-get)\n' "$*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$state/apt-$command.log" 2>&1 \
    || { apt-get update -q >>"$state/apt-$command.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$state/apt-$command.log" 2>&1; } \
    || { echo "installing $* failed, see $state/apt-$command.log" >&2; exit 1; }
}

install redis-server redis-server
install chromium chromium
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  printf '\033[1;34m==>\033[0m starting redis-server for the tests on 127.0.0.1:%s\n' "$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$state/redis-test.log" --pidfile "$state/redis-test.pid"
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
