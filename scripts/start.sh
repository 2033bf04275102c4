#!/usr/bin/env bash
# Starts the whole of QuickTry under .NET Aspire: installs and starts what is missing (Docker engine,
# base image, language and Redis images), then runs the AppHost, which brings up Redis, the executor
# and the API and opens the Aspire dashboard.
# Usage: scripts/start.sh [--gvisor] [--languages a,b,...]
#   --gvisor: install gVisor and run every sandbox under runsc.
#   --languages: build only these languages' images first (a fresh machine builds all 106 in about
#   20 minutes); the others show as unavailable until `scripts/setup.sh` (or start.sh without it) builds them.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh "$@"
if [[ " $* " == *" --gvisor "* ]]; then
  # The AppHost hands this to the executor as Executor:Sandbox:Runtime.
  export QuickTry__SandboxRuntime=runsc
fi

cat <<'TXT'

  QuickTry is starting under .NET Aspire:
    API (and OpenAPI reference) http://localhost:5080        e.g. curl -H 'Content-Type: application/json' \
                                                              -d '{"lang":"python3","code":"print(1)"}' localhost:5080/run
    API reference page          http://localhost:5080/scalar
    Aspire dashboard            the login URL printed below (http://localhost:18888/login?t=...)
  Stop with Ctrl+C.

TXT
exec dotnet run --project QuickTry.AppHost --launch-profile http
