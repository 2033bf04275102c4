#!/usr/bin/env bash
# Runs the benchmark: sets up what is missing, then measures the real stack against `docker run --rm`
# per run and the bare host toolchains, and runc against gVisor, side by side, and writes docs/benchmarks.md with its plots.
# Extra arguments go to the benchmark (e.g. --runs 100).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# --gvisor: the benchmark measures runc and gVisor (runsc) side by side.
bash scripts/setup.sh --gvisor python3 javascript bash c go java cpp
exec dotnet run -c Release --project bench/QuickTry.Bench -- "$@"
