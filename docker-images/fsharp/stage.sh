#!/usr/bin/env bash
# Stages fsc and FSharp.Core from the host's .NET SDK into staged/ (gitignored); see ../dotnet/stage.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/../dotnet/stage.sh" "$1" "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" fsharp
