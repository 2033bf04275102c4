#!/usr/bin/env bash
# Runs the whole test suite against the real things: Docker engine (and a second one with gVisor),
# sandbox images, Redis, Chromium.
# Installs and starts what is missing first (scripts/setup.sh), so it works on a fresh Debian machine.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"

bash scripts/setup.sh
bash scripts/test-services.sh
# A second engine with gVisor's runsc: the sandbox tests run under it too, the main engine stays as it is.
bash scripts/test-gvisor-engine.sh

# Sandbox containers of test executors that died without cleaning up (instance names test-*, crashed-*).
for engine in unix:///var/run/docker.sock unix:///run/quicktry-gvisor/docker.sock; do
  docker -H "$engine" ps -a --filter label=quicktry.managed=true --format '{{.ID}} {{.Label "quicktry.instance"}}' \
    | awk '$2 ~ /^(test-|crashed-)/ { print $1 }' | xargs -r docker -H "$engine" rm -f >/dev/null
done

printf '\033[1;34m==>\033[0m running the test suite\n'
log="$state/test.log"
set +e
# One test project at a time: they share the Docker engine and two cores, and timing assertions need quiet.
dotnet test QuickTry.sln -m:1 --logger "console;verbosity=normal" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e

# One closing line over every test project: "N passed, N failed, N skipped".
awk '/^ +Passed: +[0-9]+$/ { p += $2 } /^ +Failed: +[0-9]+$/ { f += $2 } /^ +Skipped: +[0-9]+$/ { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
# The failed tests' names and first lines, last, so the end of the log says what failed.
if grep -q '^  Failed ' "$log"; then
  printf 'failed:\n'
  grep -A 6 '^  Failed ' "$log" | cut -c1-300
fi
exit "$code"
