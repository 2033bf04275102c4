#!/usr/bin/env bash
# Builds the service images quicktry/api:latest and quicktry/executor:latest from this repository, without
# a registry: a self-contained `dotnet publish` (linux-x64) copied onto the local debian:bookworm-slim base
# (deploy/images/*.Dockerfile). An image is rebuilt only when its inputs changed: the inputs are hashed,
# as scripts/setup.sh hashes a language folder, and the hash is kept in the image's label quicktry.hash.
#
# Inputs of a service: its project folder and, recursively, every folder its .csproj includes from
# (ProjectReference, linked Compile items), the root Directory.*.props (and global.json / nuget.config if
# present), its Dockerfile and deploy/images/healthcheck, the SDK version and the base image; for the
# executor also the language definitions (docker-images/*/language.json and test/, not the language
# images). Files are those git tracks or would track: ignored ones (bin/, obj/, node_modules/) are not inputs.
#
# The sources are first copied under $QUICKTRY_STATE_DIR/service-images/ and published from there, so this
# never writes into the working tree's bin/ and obj/ (an IDE or a test run may be building there), and what
# is hashed is exactly what is built.
#   default          the working tree as it is (tracked and untracked files, uncommitted edits included)
#   --commit <rev>   a commit (e.g. HEAD, a tag): what is deployed is then exactly that commit
# Needs a running engine and the base image (scripts/setup.sh), the .NET SDK, and Node.js/npm for the API's
# editor bundle (its build runs `npm ci` and `npm run build`).
# Usage: scripts/build-service-images.sh [--commit <rev>] [api|executor ...]   (no services: both)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
work="$state/service-images"
base=debian:bookworm-slim
root_files=(Directory.Build.props Directory.Packages.props global.json nuget.config NuGet.Config)

task="service images"
source "$repo/scripts/lib.sh"

project_of() {
  case $1 in
    api) echo QuickTry.Api ;;
    executor) echo QuickTry.Executor ;;
    *) fail "unknown service '$1' (usage: scripts/build-service-images.sh [--commit <rev>] [api|executor ...])" ;;
  esac
}

is_git() { git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; }

# What may be an input of either image, as paths relative to the repository, one per line: every
# top-level project folder except the AppHost, the root build files, deploy/images and, per language,
# language.json and test/. From the working tree (files git tracks or would track) or from commit $1.
candidate_files() {
  local commit="$1"
  if [[ -n $commit ]]; then
    git -C "$repo" ls-tree -r --name-only "$commit"
  elif is_git; then
    git -C "$repo" ls-files -co --exclude-standard
  else
    (cd "$repo" && find . -type d \( -name .git -o -name bin -o -name obj -o -name node_modules -o -name wwwroot -o -name .state \) -prune \
      -o -type f -print | sed 's|^\./||')
  fi | grep -E '^(QuickTry\.[^/]+/|deploy/images/|docker-images/[^/]+/(language\.json$|test/))|^(Directory\.Build\.props|Directory\.Packages\.props|global\.json|nuget\.config|NuGet\.Config)$' \
     | grep -v '^QuickTry\.AppHost/' | sort -u
}

# Copies the candidate files into $src. For the working tree, the copy's bin/, obj/, node_modules/ and
# wwwroot/ are kept so publishing stays incremental (tar keeps timestamps, which MSBuild goes by); a commit
# is always published from a fresh copy, since its files carry the commit's time, not their own.
sync_sources() {
  local commit="$1"
  if [[ -n $commit ]]; then
    rm -rf "$src"
    mkdir -p "$src"
    candidate_files "$commit" | tr '\n' '\0' | xargs -0 git -C "$repo" archive --format=tar "$commit" -- | tar -C "$src" -xf -
  else
    mkdir -p "$src"
    find "$src" -mindepth 1 -type d \( -name bin -o -name obj -o -name node_modules -o -name wwwroot \) -prune \
      -o -type f -exec rm -f {} +
    # A tracked file deleted in the working tree is still listed by ls-files: skip what does not exist.
    (cd "$repo" && candidate_files "" | while IFS= read -r file; do [[ -f $file ]] && printf '%s\0' "$file"; done \
      | tar --null -T - -cf -) | tar -C "$src" -xf -
  fi
}

# The project's folder and every folder its .csproj includes from (..\Folder\...), recursively; read in the copy.
project_folders() {
  local -A seen=()
  local queue=("$1") folder csproj dependency
  while ((${#queue[@]})); do
    folder="${queue[0]}"
    queue=("${queue[@]:1}")
    [[ -n "${seen[$folder]:-}" ]] && continue
    seen[$folder]=1
    echo "$folder"
    for csproj in "$src/$folder"/*.csproj; do
      [[ -f $csproj ]] || continue
      for dependency in $(grep -o 'Include="\.\.[\\/][^\\/"]*' "$csproj" | sed 's|.*[\\/]||' | sort -u || true); do
        [[ -d "$src/$dependency" ]] && queue+=("$dependency")
      done
    done
  done
}

# Source files of the copy below the given paths (build outputs left out), sorted.
copied_files() {
  (cd "$src" && find "$@" -type d \( -name bin -o -name obj -o -name node_modules -o -name wwwroot \) -prune \
    -o -type f -print 2>/dev/null | LC_ALL=C sort || true)
}

# Content hash of a service's inputs, 16 hex digits like setup.sh's folder_hash.
service_hash() {
  local service="$1" paths
  paths=($(project_folders "$(project_of "$service")") "${root_files[@]}" "deploy/images/$service.Dockerfile" deploy/images/healthcheck)
  if [[ $service == executor ]]; then paths+=(docker-images); fi
  {
    (cd "$src" && copied_files "${paths[@]}" | tr '\n' '\0' | xargs -0 sha256sum)
    echo "sdk $(dotnet --version)"
    echo "base $(docker image inspect -f '{{.Id}}' "$base")"
  } | sha256sum | cut -c1-16
}

publish() {
  local service="$1" project app="$work/$1/app"
  project="$(project_of "$service")"
  rm -rf "$app"
  mkdir -p "$app"
  step "publishing $project (self-contained, linux-x64; log: $work/publish-$service.log)"
  if ! dotnet publish "$src/$project/$project.csproj" -c Release -r linux-x64 --self-contained \
      -o "$app" --nologo >"$work/publish-$service.log" 2>&1; then
    grep -E ': error |error :' "$work/publish-$service.log" | sort -u | tail -n 20 >&2 || tail -n 30 "$work/publish-$service.log" >&2
    fail "dotnet publish of $project failed, see $work/publish-$service.log"
  fi
}

# The image's build context: app/ (the publish), Dockerfile, healthcheck and, for the executor, languages/
# (one folder per language with its language.json and test programs).
prepare_context() {
  local service="$1" context="$work/$1"
  cp "$src/deploy/images/$service.Dockerfile" "$context/Dockerfile"
  cp "$src/deploy/images/healthcheck" "$context/healthcheck"
  if [[ $service == executor ]]; then
    rm -rf "$context/languages"
    cp -a "$src/docker-images" "$context/languages"
  fi
}

image_size() {
  docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%d MB", $1 / 1000000 }'
}

build_service() {
  local service="$1" tag="quicktry/$1:latest" hash current started
  [[ -f "$src/deploy/images/$service.Dockerfile" ]] || fail "deploy/images/$service.Dockerfile is missing${commit:+ in $commit}"
  hash="$(service_hash "$service")"
  current="$(docker image inspect -f '{{ index .Config.Labels "quicktry.hash" }}' "$tag" 2>/dev/null || true)"
  if [[ "$current" == "$hash" ]]; then
    step "image $tag is up to date ($hash, $(image_size "$tag"))"
    return
  fi
  started=$SECONDS
  publish "$service"
  prepare_context "$service"
  step "building image $tag (log: $work/build-$service.log)"
  # The classic builder works with every engine version (Debian's 20.10 daemon, clients without buildx).
  if ! DOCKER_BUILDKIT=0 docker build --label "quicktry.hash=$hash" --label "quicktry.service=$service" \
      ${commit:+--label "quicktry.commit=$(git -C "$repo" rev-parse "$commit")"} \
      -t "$tag" "$work/$service" >"$work/build-$service.log" 2>&1; then
    tail -n 20 "$work/build-$service.log" >&2
    fail "building image $tag failed at the step above, see $work/build-$service.log"
  fi
  step "built $tag ($hash, $(image_size "$tag")) in $((SECONDS - started)) s"
  rebuilt=1
}

main() {
  local services=() service
  commit=""
  while (($#)); do
    case $1 in
      --commit) [[ $# -ge 2 ]] || fail "--commit needs a revision"; commit="$2"; shift 2 ;;
      -*) fail "unknown option $1 (usage: scripts/build-service-images.sh [--commit <rev>] [api|executor ...])" ;;
      *) project_of "$1" >/dev/null; services+=("$1"); shift ;;
    esac
  done
  if [[ ${#services[@]} -eq 0 ]]; then services=(api executor); fi
  if [[ -n $commit ]]; then
    is_git || fail "--commit needs a git checkout"
    git -C "$repo" rev-parse --verify --quiet "$commit^{commit}" >/dev/null || fail "no commit '$commit'"
  fi
  command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK is not installed (dotnet not found)"
  command -v npm >/dev/null 2>&1 || fail "npm is not installed; the API's build bundles the editor with it (scripts/setup.sh installs it)"
  docker info >/dev/null 2>&1 || fail "the Docker engine does not answer; run scripts/setup.sh"
  docker image inspect "$base" >/dev/null 2>&1 || fail "the base image $base is missing; run scripts/setup.sh"
  mkdir -p "$work"
  # One build at a time: two would share the source copy and the build contexts.
  exec 9>"$work/.lock"
  flock 9
  src="$work/src${commit:+-commit}"
  if [[ -n $commit ]]; then step "copying the sources of commit $commit to $src"; else step "copying the working tree's sources to $src"; fi
  sync_sources "$commit"
  rebuilt=0
  for service in "${services[@]}"; do build_service "$service"; done
  if ((rebuilt)); then
    # A rebuilt image leaves its predecessor untagged. Only service images are removed (label quicktry.service).
    docker image prune -f --filter label=quicktry.service >/dev/null
  fi
  step "service images ready: ${services[*]/#/quicktry/}"
}

main "$@"
