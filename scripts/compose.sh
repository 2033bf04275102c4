#!/usr/bin/env bash
# Runs QuickTry's deploy/compose.yaml on this host: Redis, two API replicas (localhost:8081, :8082) and
# two executors driving this host's Docker engine.
#   up     makes sure Docker Compose v2 is installed, runs scripts/setup.sh (engine, Redis and language
#          images, each rebuilt only if changed) and scripts/build-service-images.sh (API and executor
#          images), starts the stack and waits until every service is healthy and both APIs serve runs
#          (/health Healthy: an executor has announced itself)
#   down   stops and removes the stack's containers and network (extra arguments go to `compose down`,
#          e.g. --volumes to drop Redis's data)
#   any other compose command (ps, logs -f, ...) is passed through with the right file and settings.
# Environment: QUICKTRY_WARM_PER_LANGUAGE (warm sandboxes per language version and executor, default 1);
# QUICKTRY_BUILD_COMMIT=<rev> builds the service images from that commit instead of the working tree.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
file="$repo/deploy/compose.yaml"
socket=/var/run/docker.sock
mkdir -p "$state"

task="compose"
source "$repo/scripts/lib.sh"

has_compose_v2() { docker compose version >/dev/null 2>&1; }

# Compose v2 (`docker compose`). Debian 12 packages only the old Python docker-compose 1.29; Debian 13's
# docker-compose 2.x is one static Go binary that needs nothing newer than Debian 12's libc (libc6 >= 2.34),
# so its .deb is fetched from Debian 13 with a private apt configuration (the system's sources and
# preferences are left alone, nothing else is upgraded) and installed with dpkg.
ensure_compose() {
  has_compose_v2 && return
  [[ $(id -u) -eq 0 && -f /etc/debian_version ]] \
    || fail "Docker Compose v2 is missing: install it (the docker-compose-plugin or Debian 13's docker-compose package) and run this again"
  step "installing Docker Compose v2 (Debian 13's docker-compose package; log: $state/compose-install.log)"
  local apt="$state/apt-trixie" options
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/preferences.d"
  # The mirror this machine's apt already uses for Debian 12 serves Debian 13 too.
  local mirror
  mirror="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{ print $2 }' | grep -v -- '-security' | head -n 1)"
  [[ -n $mirror ]] || mirror="$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)"
  [[ -n $mirror ]] || fail "no Debian mirror found in /etc/apt/sources.list*; install Compose v2 by hand"
  cat >"$apt/trixie.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  options=(-o "Dir::Etc::SourceList=$apt/trixie.sources" -o Dir::Etc::SourceParts=/dev/null
           -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
           -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$apt/preferences.d"
           -o APT::Sandbox::User=root)
  {
    apt-get "${options[@]}" update -q
    (cd "$apt" && rm -f docker-compose_*.deb && apt-get "${options[@]}" download docker-compose)
  } >"$state/compose-install.log" 2>&1 || fail "fetching docker-compose from Debian 13 failed, see $state/compose-install.log"
  local deb
  deb="$(ls "$apt"/docker-compose_*.deb)"
  local depends
  depends="$(dpkg-deb -f "$deb" Depends)"
  [[ $depends =~ ^libc6\ \(\>=\ 2\.[0-9]+\)$ ]] \
    || fail "$deb depends on '$depends', more than this script checked for; install Compose v2 by hand"
  dpkg -i "$deb" >>"$state/compose-install.log" 2>&1 || fail "dpkg -i $deb failed, see $state/compose-install.log"
  has_compose_v2 || fail "docker compose still does not answer after installing $deb"
}

compose() {
  # The executors reach the engine through the socket's group; it differs per host.
  DOCKER_GID="$(stat -c %g "$socket")" docker compose -f "$file" "$@"
}

up() {
  ensure_compose
  # The engine, Redis's image and every language image the executors run (each rebuilt only if changed).
  bash "$repo/scripts/setup.sh" | grep -v 'is up to date' || fail "scripts/setup.sh failed"
  [[ -S $socket ]] || fail "$socket is not a socket; the executors mount it"
  bash "$repo/scripts/build-service-images.sh" ${QUICKTRY_BUILD_COMMIT:+--commit "$QUICKTRY_BUILD_COMMIT"}
  step "starting deploy/compose.yaml ($(docker compose version --short))"
  local started=$SECONDS
  compose up -d --wait --wait-timeout 180 "$@" || { compose ps -a; fail "the stack did not become healthy; see: scripts/compose.sh logs"; }
  compose ps
  # Compose's health check passes on Degraded too (200), which an API also says before any executor has
  # announced itself to the queue: runs would still be refused with 503. Up means runs are served.
  local port health
  for port in 8081 8082; do
    while health="$(curl -s --max-time 2 "http://localhost:$port/health" || true)"; [[ $health != Healthy ]]; do
      ((SECONDS - started < 240)) || fail "the API on :$port still says '${health:-nothing}' after $((SECONDS - started)) s; see: scripts/compose.sh logs"
      sleep 0.5
    done
  done
  step "up in $((SECONDS - started)) s: http://localhost:8081 and http://localhost:8082"
}

down() {
  if ! has_compose_v2; then
    step "Docker Compose v2 is not installed: nothing was started with it"
    return
  fi
  compose down "$@"
  step "stopped; containers left: $(docker ps -aq --filter label=com.docker.compose.project=quicktry | wc -l)"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  "") fail "usage: scripts/compose.sh up|down|<compose command> [arguments]" ;;
  *) ensure_compose; compose "$@" ;;
esac
