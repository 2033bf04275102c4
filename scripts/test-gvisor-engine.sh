#!/usr/bin/env bash
# Starts the second Docker engine the gVisor tests use, so the rest of the suite (and the main engine's
# configuration) is undisturbed: its own socket, data root and exec root, no bridge, no iptables, and
# runsc (Debian's gVisor) declared as a runtime in its own configuration file. Then copies every
# quicktry/ image the main engine has into it, skipping those it already has at the same build hash.
# Idempotent: an engine already answering on the socket is reused.
# Not `--bridge none`: an engine started so deletes the interface docker0, the main engine's bridge.
# It gets a bridge of its own (qtgvisor0) instead; sandboxes have no network either way.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"
run_dir=/run/quicktry-gvisor
socket="unix://$run_dir/docker.sock"
data_root="${QUICKTRY_GVISOR_DATA_ROOT:-/var/lib/quicktry-gvisor}"
bridge=qtgvisor0
bridge_address="${QUICKTRY_GVISOR_BRIDGE_ADDRESS:-10.253.77.1/24}"

step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31mgVisor test engine failed:\033[0m %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "starting a second Docker engine needs root"
source "$repo/scripts/gvisor.sh"
gvisor_install "$state"

mkdir -p "$run_dir" "$data_root"
gvisor_runtime_config >"$run_dir/daemon.json.new"
if docker -H "$socket" info >/dev/null 2>&1; then
  if ! cmp -s "$run_dir/daemon.json.new" "$run_dir/daemon.json"; then
    # A running engine with an older runtime entry: reload its configuration (no restart).
    mv "$run_dir/daemon.json.new" "$run_dir/daemon.json"
    kill -HUP "$(cat "$run_dir/docker.pid")"
    sleep 1
  fi
else
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$bridge_address" dev "$bridge"
    ip link set "$bridge" up
  fi
  mv "$run_dir/daemon.json.new" "$run_dir/daemon.json"
  step "starting the gVisor test engine on $socket (log: $state/dockerd-gvisor.log)"
  setsid nohup dockerd --config-file "$run_dir/daemon.json" --host "$socket" \
    --data-root "$data_root" --exec-root "$run_dir/exec" --pidfile "$run_dir/docker.pid" \
    --bridge "$bridge" --iptables=false --ip-masq=false --ip-forward=false \
    >"$state/dockerd-gvisor.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker -H "$socket" info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker -H "$socket" info >/dev/null 2>&1 || fail "the engine did not answer within 30 s, see $state/dockerd-gvisor.log"
fi
docker -H "$socket" info --format '{{json .Runtimes}}' | grep -q '"runsc"' \
  || fail "the engine on $socket does not declare runsc; stop it (kill \$(cat $run_dir/docker.pid)) and run this again"

# Images: the main engine's quicktry/ sandbox images (not the services' images of deploy/), moved a few
# at a time so that shared layers travel once per batch.
stale=()
while read -r image hash service; do
  [[ -z $service ]] || continue
  theirs="$(docker -H "$socket" image inspect -f '{{ index .Config.Labels "quicktry.hash" }}' "$image" 2>/dev/null || true)"
  [[ "$theirs" == "$hash" ]] || stale+=("$image")
done < <(docker images --format '{{.Repository}}:{{.Tag}}' 'quicktry/*' | grep -v ':<none>$' \
  | xargs -r docker image inspect -f '{{ index .RepoTags 0 }} {{ index .Config.Labels "quicktry.hash" }} {{ index .Config.Labels "quicktry.service" }}')
if [[ ${#stale[@]} -gt 0 ]]; then
  step "copying ${#stale[@]} images into the gVisor test engine"
  started=$SECONDS
  # In batches: `docker load` unpacks its whole input before importing it, so one stream of every image
  # needs twice their size free at once (measured: 77 images ran a disk with 26 GB free out of space).
  for ((i = 0; i < ${#stale[@]}; i += 8)); do
    docker save "${stale[@]:i:8}" | docker -H "$socket" load -q >/dev/null || fail "copying images failed"
    # The copies replaced leave their predecessors untagged.
    docker -H "$socket" image prune -f >/dev/null
  done
  step "copied in $((SECONDS - started)) s"
fi
step "gVisor test engine ready on $socket"
