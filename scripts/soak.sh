#!/usr/bin/env bash
# The soak: 24 callers with a mixed workload (runs, stdin, a compile, submissions, time and output limits)
# against the AppHost's stack with two executors for 10 minutes, while Redis is killed twice and each
# executor once (SIGKILL). Every answer is checked (right result or honest refusal, within 30 s) and every
# accepted submission must end. Writes docs/soak.md. Extra arguments go to the benchmark program
# (e.g. --soak-minutes 2 --out /tmp/soak.md).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh --gvisor python3 bash c javascript go java
exec dotnet run -c Release --project bench/QuickTry.Bench -- --only soak --warm 1 "$@"
