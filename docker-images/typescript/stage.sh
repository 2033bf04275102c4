#!/usr/bin/env bash
# Installs the TypeScript compiler and Node's type declarations (versions pinned by package-lock.json)
# into node_modules/ (gitignored) on this machine: npm's registry does not answer inside containers, so
# the Dockerfile copies them in. Skipped when node_modules/ was installed from the same lock file.
# npm's own bookkeeping file is removed so that only the packages' files (the same for the same lock
# file) are hashed by setup.sh.
# Usage: stage.sh <state dir>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${1:?usage: stage.sh <state dir>}"
stamp="$state/stage-typescript"
want="$(cat "$here/package-lock.json" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
if [[ -d $here/node_modules && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "no npm on this machine (Debian: apt-get install npm)" >&2; exit 1; }
cd "$here"
# --prefer-offline: a machine without network installs from npm's cache when it has the packages.
npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
rm -f node_modules/.package-lock.json
chmod -R a+rX node_modules
echo "$want" >"$stamp"
echo "installed $(node -p 'require("./node_modules/typescript/package.json").version') TypeScript and @types/node $(node -p 'require("./node_modules/@types/node/package.json").version') into $here/node_modules"
