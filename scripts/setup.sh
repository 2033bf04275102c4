#!/usr/bin/env bash
# Prepares a machine to run QuickTry, idempotently:
#   1. a Docker engine (Debian's docker.io when none is installed and we are root on Debian),
#   2. a running dockerd,
#   3. the debian:bookworm-slim base image (pulled, or bootstrapped with debootstrap when no registry answers),
#   4. every image under docker-images/, rebuilt only when its folder (or the base it builds on) changed,
#   and Node.js/npm, which the API's build uses to bundle the editor page.
#   With --gvisor, also gVisor: Debian's runsc, declared as a runtime in /etc/docker/daemon.json, and the
#   engine told to reload its configuration (SIGHUP: running containers are untouched).
# Usage: scripts/setup.sh [--gvisor] [--languages a,b,...] [language ...]   (no languages: every language)
#   --languages: only these languages' images (and the ones they build on), to start with a few; run it
#   again without to build the rest. QUICKTRY_BUILD_JOBS: how many images are built at once (default 3;
#   the images others build on come first).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"

task=setup
source "$repo/scripts/lib.sh"

# /run is not a tmpfs on every machine (it is not on ours): a daemon killed with its machine leaves its pid
# files behind, and once another process has that pid, dockerd refuses to start ("pid file found") or waits
# for ever on a "containerd" that is something else. A pid file whose process is not that program is stale.
clear_stale_engine_pids() {
  local file program pid
  for file in /var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd; do
    program=${file##*:} file=${file%:*}
    [[ -f $file ]] || continue
    pid="$(cat "$file" 2>/dev/null || true)"
    # A killed daemon that nobody has reaped yet is a zombie under its old name: stale too (kill -0, which
    # dockerd's own check uses, still finds it).
    if [[ ! $pid =~ ^[0-9]+$ ]] || [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != "$program" ]] \
      || [[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)" == Z ]]; then
      rm -f "$file"
      step "removed the stale $file (its process $pid is not $program)"
    fi
  done
}

ensure_engine() {
  if ! command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
    apt_install docker.io
  fi
  ensure_command docker docker.io
  if docker info >/dev/null 2>&1; then
    return
  fi
  [[ $(id -u) -eq 0 ]] || fail "the Docker engine is not running and only root can start it: start dockerd (or add yourself to the docker group) and run this again"
  clear_stale_engine_pids
  step "starting dockerd (log: $state/dockerd.log)"
  # No init system here (containers, CI): dockerd runs detached from this shell so it outlives the script.
  setsid nohup dockerd >"$state/dockerd.log" 2>&1 </dev/null &
  local dockerd_pid=$! waited=0
  # An engine answers in ~2 s here (also after a killed one, with 166 containers left); the bound is for slow
  # disks. A daemon that exits (a stale pid file, a bad daemon.json) fails at once, with its log's end.
  local limit=${QUICKTRY_ENGINE_START_SECONDS:-300}
  while ((waited < limit * 2)); do
    docker info >/dev/null 2>&1 && return
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      tail -n 15 "$state/dockerd.log" >&2
      fail "dockerd exited before it answered (its log's end is above; all of it in $state/dockerd.log)"
    fi
    ((++waited % 20 == 0)) && step "dockerd has not answered after $((waited / 2)) s (still starting, see $state/dockerd.log)"
    sleep 0.5
  done
  tail -n 15 "$state/dockerd.log" >&2
  fail "dockerd did not answer within $limit s (its log's end is above; all of it in $state/dockerd.log)"
}

ensure_base_image() {
  local base=debian:bookworm-slim
  docker image inspect "$base" >/dev/null 2>&1 && return
  step "pulling $base"
  if timeout 120 docker pull -q "$base" >/dev/null 2>&1; then
    return
  fi
  step "no registry answered: bootstrapping $base with debootstrap (about a minute)"
  ensure_command debootstrap debootstrap
  local rootfs
  rootfs="$(mktemp -d)"
  debootstrap --variant=minbase bookworm "$rootfs" >"$state/debootstrap.log" 2>&1 \
    || fail "debootstrap of $base failed, see $state/debootstrap.log"
  # Same trimming the official slim image does, so both bases behave alike.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$base" >/dev/null || fail "docker import of $base failed"
  rm -rf "$rootfs"
}

parent_of() {
  # The quicktry/ image a Dockerfile builds on, if any (e.g. base, jdk).
  sed -n 's|^FROM quicktry/\([a-z0-9_-]*\).*|\1|p' "$repo/docker-images/$1/Dockerfile" | head -n 1
}

declare -A folder_hashes=()
folder_hash() {
  # Content hash of the image's folder and, recursively, of the quicktry/ image it builds on.
  # test/ is left out: test programs are not part of the image.
  local name="$1" parent
  parent="$(parent_of "$name")"
  {
    (cd "$repo/docker-images/$name" && find . -path ./test -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
    if [[ -n "$parent" ]]; then printf '%s\n' "${folder_hashes[$parent]:-$(folder_hash "$parent")}"; fi
  } | sha256sum | cut -c1-16
}

# An image folder may have a stage.sh that copies files from this machine into its build context
# (gitignored, e.g. the host's .NET SDK, npm packages) before it is hashed and built; it must give the
# same files on every run with the same inputs, so that the hash does not change.
stage_image() {
  local name="$1" dir="$repo/docker-images/$1"
  [[ -f "$dir/stage.sh" ]] || return 0
  if ! bash "$dir/stage.sh" "$state" >"$state/stage-$name.log" 2>&1; then
    tail -n 20 "$state/stage-$name.log" >&2
    fail "staging the build context of $name failed, see $state/stage-$name.log"
  fi
  if [[ -s "$state/stage-$name.log" ]]; then sed 's/^/    /' "$state/stage-$name.log"; fi
}

# The content hash each quicktry/ image was built from (its quicktry.hash label), read in one call: one
# `docker image inspect` per image took 7 s of an up-to-date check.
declare -A built_hashes=()
read_built_hashes() {
  local hash tags tag
  while read -r hash tags; do
    for tag in $tags; do built_hashes[$tag]=$hash; done
  done < <(docker image ls -q --filter label=quicktry.hash | sort -u \
             | xargs -r docker image inspect -f '{{ index .Config.Labels "quicktry.hash" }} {{ join .RepoTags " " }}')
}

declare -A checked=()
# Progress over every image this run checks: "N of M".
images_total=0
images_seen=0
build_image() {
  local name="$1" dir="$repo/docker-images/$1" tag="quicktry/$1:latest" hash current parent
  if [[ -n "${checked[$name]:-}" ]]; then return; fi
  [[ -f "$dir/Dockerfile" ]] || fail "docker-images/$name has no Dockerfile"
  parent="$(parent_of "$name")"
  if [[ -n "$parent" ]]; then build_image "$parent"; fi
  checked[$name]=1
  # A build in the background is counted by the loop that starts it (a subshell's count is lost).
  local progress="${build_progress:-}"
  if [[ -z "$progress" ]]; then
    images_seen=$((images_seen + 1))
    progress="$images_seen of $images_total images"
  fi
  stage_image "$name"
  hash="$(folder_hash "$name")"
  # Remembered for the images built on this one (the .NET SDK's folder alone is 127 MB to hash again);
  # builds started later in the background inherit it.
  folder_hashes[$name]=$hash
  current="${built_hashes[$tag]:-}"
  if [[ "$current" == "$hash" ]]; then
    step "$progress: $tag is up to date"
    return
  fi
  step "$progress: building $tag (log: $state/build-$name.log)"
  local started=$SECONDS
  # The classic builder works with every engine version (Debian's 20.10 daemon, clients without buildx).
  if ! DOCKER_BUILDKIT=0 docker build --label "quicktry.hash=$hash" -t "$tag" "$dir" >"$state/build-$name.log" 2>&1; then
    tail -n 20 "$state/build-$name.log" >&2
    fail "building image $tag failed at the step above, see $state/build-$name.log"
  fi
  step "built $tag in $((SECONDS - started)) s"
}

languages() {
  if [[ $# -gt 0 ]]; then
    printf '%s\n' "$@"
  else
    find "$repo/docker-images" -mindepth 2 -maxdepth 2 -name language.json -printf '%h\n' | xargs -n1 basename | sort
  fi
}

ensure_node() {
  # The API's build bundles the editor page with npm.
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
}

engine_declares_runsc() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; }

# Registers gVisor's runsc with the running engine: merges the runtime into the daemon configuration,
# then reloads it (SIGHUP, or `systemctl reload docker`); restarts the engine only if a reload did not
# take and this script started it. Says what it changed.
ensure_gvisor() {
  source "$repo/scripts/gvisor.sh"
  gvisor_install
  if ! engine_declares_runsc; then
    [[ $(id -u) -eq 0 ]] || fail "registering runsc with the engine needs root (it edits /etc/docker/daemon.json)"
    ensure_command jq jq
    local config=/etc/docker/daemon.json current='{}'
    mkdir -p /etc/docker
    if [[ -s $config ]]; then
      current="$(cat "$config")"
      cp "$config" "$state/daemon.json.before-gvisor"
    fi
    jq --argjson runtime "$(gvisor_runtime_json)" '.runtimes.runsc = $runtime' <<<"$current" >"$config.quicktry" \
      || fail "$config is not valid JSON; fix it and run this again"
    mv "$config.quicktry" "$config"
    step "gVisor: declared the runtime runsc in $config$([[ -f $state/daemon.json.before-gvisor ]] && echo " (the previous file is in $state/daemon.json.before-gvisor)")"
    if systemctl is-active --quiet docker 2>/dev/null; then
      systemctl reload docker
    elif [[ -f /var/run/docker.pid ]]; then
      kill -HUP "$(cat /var/run/docker.pid)"
    fi
    for _ in $(seq 1 20); do engine_declares_runsc && break; sleep 0.5; done
    if engine_declares_runsc; then
      step "gVisor: the engine reloaded its configuration (no restart; running containers untouched)"
    elif pgrep -f "^dockerd$" >/dev/null && [[ -f "$state/dockerd.log" ]]; then
      step "gVisor: the engine did not take the runtime on reload; restarting the dockerd this set-up started (its containers stop)"
      kill "$(cat /var/run/docker.pid)"
      for _ in $(seq 1 60); do docker info >/dev/null 2>&1 || break; sleep 0.5; done
      ensure_engine
      engine_declares_runsc || fail "the engine still does not declare runsc after a restart, see $state/dockerd.log"
    else
      fail "the engine did not take the runtime runsc from $config; restart the Docker engine and run this again"
    fi
  fi
  docker run --rm --runtime runsc --network none debian:bookworm-slim true >"$state/gvisor-check.log" 2>&1 \
    || fail "a container under runsc did not start, see $state/gvisor-check.log"
  step "gVisor ready: set Executor:Sandbox:Runtime=runsc (or start with scripts/start.sh --gvisor)"
}

main() {
  local gvisor=0 arguments=() argument expect_languages=0
  for argument in "$@"; do
    if ((expect_languages)); then
      IFS=, read -r -a listed <<<"$argument"
      arguments+=("${listed[@]}")
      expect_languages=0
      continue
    fi
    case $argument in
      --gvisor) gvisor=1 ;;
      --languages) expect_languages=1 ;;
      --languages=*) IFS=, read -r -a listed <<<"${argument#--languages=}"; arguments+=("${listed[@]}") ;;
      -*) fail "unknown option $argument (usage: scripts/setup.sh [--gvisor] [--languages a,b,...] [language ...])" ;;
      *) arguments+=("$argument") ;;
    esac
  done
  ((expect_languages == 0)) || fail "--languages needs a comma-separated list, e.g. --languages python3,javascript"
  local setup_started=$SECONDS
  ensure_node
  ensure_engine
  ensure_base_image
  if ((gvisor)); then ensure_gvisor; fi
  local lang
  local -a wanted=()
  for lang in $(languages "${arguments[@]}"); do
    [[ -f "$repo/docker-images/$lang/language.json" ]] || fail "docker-images/$lang is not a language (no language.json; 'ls docker-images' lists them)"
    wanted+=("$lang")
  done
  # Every image this run checks: Redis's, the languages' and the ones they build on, each once.
  local -A counted=()
  for lang in redis "${wanted[@]}"; do
    local image="$lang"
    while [[ -n "$image" && -z "${counted[$image]:-}" ]]; do
      counted[$image]=1
      image="$(parent_of "$image")"
    done
  done
  images_total=${#counted[@]}
  read_built_hashes
  build_image redis
  # The images others build on first, one at a time (base, jdk, dotnet, java, vala, ...); then the rest a
  # few at a time: an image build mostly waits for its packages, so two cores serve several at once.
  for lang in "${wanted[@]}"; do
    local parent
    parent="$(parent_of "$lang")"
    if [[ -n "$parent" ]]; then build_image "$parent"; fi
  done
  local jobs="${QUICKTRY_BUILD_JOBS:-3}" running=0 failed=0
  for lang in "${wanted[@]}"; do
    [[ -z "${checked[$lang]:-}" ]] || continue
    if ((running >= jobs)); then
      wait -n || failed=1
      running=$((running - 1))
    fi
    images_seen=$((images_seen + 1))
    build_progress="$images_seen of $images_total images" build_image "$lang" &
    running=$((running + 1))
  done
  while ((running > 0)); do
    wait -n || failed=1
    running=$((running - 1))
  done
  ((failed == 0)) || fail "building some images failed (the messages above name them)"
  # A rebuilt image leaves its predecessor untagged: gigabytes per base change. Only ours are removed.
  docker image prune -f --filter label=quicktry.hash >/dev/null
  step "docker engine ready, $images_total images up to date ($((SECONDS - setup_started)) s)"
}

main "$@"
