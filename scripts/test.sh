#!/usr/bin/env bash
# Runs the whole test suite against the real things: the Docker engine (runc and gVisor's runsc, declared
# on the one engine), the sandbox images, Redis, Chromium. Installs and starts what is missing first
# (scripts/setup.sh), so it works on a fresh Debian machine.
# Usage: scripts/test.sh [--full]
#   --full: every language version's cases under every isolation and runtime (one-run containers and
#           gVisor too), for releases and the benchmark; without it those two modes run a set that proves
#           each of them (see tests/QuickTry.Executor.Tests/Docker/SuiteScope.cs).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
state="${QUICKTRY_STATE_DIR:-$repo/.state}"
mkdir -p "$state"

for argument in "$@"; do
  case $argument in
    --full) export QUICKTRY_TEST_FULL=1 ;;
    *) echo "unknown option $argument (usage: scripts/test.sh [--full])" >&2; exit 2 ;;
  esac
done

task=tests
source "$repo/scripts/lib.sh"

started=$SECONDS
bash scripts/setup.sh --gvisor
setup_seconds=$((SECONDS - started))
bash scripts/test-services.sh

# Sandbox containers of test executors that died without cleaning up (instance names test-*, crashed-*),
# before the suite and after it (a test that kills an executor on purpose may leave some).
remove_test_sandboxes() {
  docker ps -a --filter label=quicktry.managed=true --format '{{.ID}} {{.Label "quicktry.instance"}}' \
    | awk '$2 ~ /^(test-|crashed-)/ { print $1 }' | xargs -r docker rm -f >/dev/null || true
}
remove_test_sandboxes

step "running the test suite${QUICKTRY_TEST_FULL:+ (--full: every language under every mode)}"
log="$state/test.log"
tests_started=$SECONDS
set +e
# One test project at a time: they share the Docker engine and two cores.
dotnet test QuickTry.sln -m:1 --logger "console;verbosity=normal" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e
remove_test_sandboxes

printf 'time: set-up %d s, tests %d s, whole run %d s\n' "$setup_seconds" "$((SECONDS - tests_started))" "$((SECONDS - started))"
# The failed tests' names and first lines, before the closing line, so the end of the log says what failed.
if grep -q '^  Failed ' "$log"; then
  printf 'failed:\n'
  grep -A 6 '^  Failed ' "$log" | cut -c1-300
fi
# One closing line over every test project, last: "N passed, N failed, N skipped".
awk '/^ +Passed: +[0-9]+$/ { p += $2 } /^ +Failed: +[0-9]+$/ { f += $2 } /^ +Skipped: +[0-9]+$/ { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$code"
