#!/usr/bin/env bash
# Copies what the .NET images need from this machine's .NET SDK into a staged/ folder (gitignored) of
# their build context: no container registry or Debian package has .NET here, the host's SDK is the one
# source. Only the runtime and the compilers go in; no MSBuild, no NuGet, no templates. Parts:
#   runtime  dotnet/  the host (dotnet, host/fxr) and the shared framework Microsoft.NETCore.App
#            ref/     the reference assemblies programs compile against (ref/net10.0, no XML docs)
#   roslyn   roslyn/  csc and vbc (Roslyn's bincore); the SDK ships Microsoft.CodeAnalysis.VisualBasic.dll
#                     as IL only, so it is compiled ahead of time here with crossgen2 (a NuGet package,
#                     fetched once into NuGet's cache): vbc's hello world takes 0.46 s of CPU instead of
#                     0.75 s. crossgen2's output is deterministic, so the hash stays stable. Without the
#                     package (offline, empty cache) the IL-only file is kept and vbc is just slower.
#   fsharp   fsharp/  fsc and FSharp.Core
# Translated messages (cs/, de/, ...) are left out: sandboxes run with LANG=C.UTF-8. File names and
# contents depend only on the SDK's version, so a fresh clone on a machine with the same SDK hashes to
# the same value in setup.sh and an image already built is not built again.
# Usage: stage.sh <state dir> [<image folder> <part>...]   (default: this folder, runtime and roslyn)
# The copy is skipped when the same SDK was staged into that folder last time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${1:?usage: stage.sh <state dir> [<image folder> <part>...]}"
target="${2:-$here}"
parts=("${@:3}")
((${#parts[@]})) || parts=(runtime roslyn)

dotnet_bin="$(command -v dotnet)" || { echo "no dotnet on PATH: install the .NET SDK 10" >&2; exit 1; }
root="${DOTNET_ROOT:-$(dirname "$(readlink -f "$dotnet_bin")")}"
# The newest SDK 10 (asked outside the repository so that no global.json picks another).
sdk="$(cd / && "$dotnet_bin" --list-sdks | sed -n 's/^\(10\.[0-9.]*\) .*/\1/p' | sort -V | tail -n 1)"
[[ -n $sdk ]] || { echo "no .NET SDK 10 in $root (dotnet --list-sdks)" >&2; exit 1; }
runtime="$(sed -n 's|.*<BundledNETCoreAppPackageVersion>\(.*\)</BundledNETCoreAppPackageVersion>.*|\1|p' \
  "$root/sdk/$sdk/Microsoft.NETCoreSdk.BundledVersions.props")"

stamp="$state/stage-$(basename "$target")"
want="$root sdk $sdk runtime $runtime parts ${parts[*]} script $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-16)"
if [[ -d $target/staged && -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

# Compiles Roslyn's IL-only Visual Basic assembly ahead of time (ReadyToRun), in place.
ready_to_run_vb() {
  local dir="$1" il="$1/Microsoft.CodeAnalysis.VisualBasic.dll" packages crossgen project
  [[ -f $il ]] || return 0
  packages="$(cd / && "$dotnet_bin" nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
  crossgen="$packages/microsoft.netcore.app.crossgen2.linux-x64/$runtime/tools/crossgen2"
  if [[ ! -x $crossgen ]]; then
    project="$(mktemp -d)"
    cat >"$project/crossgen2.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Crossgen2.linux-x64" Version="[$runtime]" /></ItemGroup>
</Project>
PROJECT
    (cd "$project" && "$dotnet_bin" restore --verbosity quiet) >&2 || true
    rm -rf "$project"
  fi
  if [[ ! -x $crossgen ]]; then
    echo "crossgen2 $runtime is not in NuGet's cache and could not be restored: vbc stays IL-only (slower)" >&2
    return 0
  fi
  if "$crossgen" "$il" -o "$il.r2r" -r "$root/shared/Microsoft.NETCore.App/$runtime/*.dll" \
       -r "$dir/Microsoft.CodeAnalysis.dll" --targetos linux --targetarch x64 -O >/dev/null; then
    mv "$il.r2r" "$il"
  else
    rm -f "$il.r2r"
    echo "crossgen2 failed on $il: vbc stays IL-only (slower)" >&2
  fi
}

need() { [[ -d $root/$1 ]] || { echo "the .NET SDK $sdk in $root has no $1" >&2; exit 1; }; }
# Top-level files only (no satellite folders), no XML docs.
copy_files() {
  need "$1"
  mkdir -p "$2"
  find "$root/$1" -maxdepth 1 -type f ! -name '*.xml' -exec cp {} "$2/" \;
}

new="$target/staged.new"
rm -rf "$new"
mkdir -p "$new"
for part in "${parts[@]}"; do
  case $part in
    runtime)
      need "host/fxr/$runtime"
      need "shared/Microsoft.NETCore.App/$runtime"
      mkdir -p "$new/dotnet/host/fxr" "$new/dotnet/shared/Microsoft.NETCore.App"
      cp "$root/dotnet" "$root/LICENSE.txt" "$root/ThirdPartyNotices.txt" "$new/dotnet/"
      cp -r "$root/host/fxr/$runtime" "$new/dotnet/host/fxr/"
      cp -r "$root/shared/Microsoft.NETCore.App/$runtime" "$new/dotnet/shared/Microsoft.NETCore.App/"
      copy_files "packs/Microsoft.NETCore.App.Ref/$runtime/ref/net10.0" "$new/ref"
      ;;
    roslyn)
      copy_files "sdk/$sdk/Roslyn/bincore" "$new/roslyn"
      ready_to_run_vb "$new/roslyn"
      ;;
    fsharp) copy_files "sdk/$sdk/FSharp" "$new/fsharp" ;;
    *) echo "unknown part $part" >&2; exit 1 ;;
  esac
done
# Readable by the sandbox's user whatever this machine's umask (chmod in the Dockerfile would copy a layer).
chmod -R a+rX "$new"
rm -rf "$target/staged"
mv "$new" "$target/staged"
echo "$want" >"$stamp"
echo "staged ${parts[*]} of .NET $runtime (SDK $sdk) into $target/staged"
