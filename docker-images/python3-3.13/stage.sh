#!/usr/bin/env bash
# Copies the Python session support kept in ../python3 (the Jupyter kernel bridge and matplotlib's cache
# seeding) into a staged/ folder (gitignored) of this build context: one copy in the repository for both
# Python images. Usage: stage.sh <state dir>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source="$here/../python3"
new="$here/staged.new"
rm -rf "$new"
mkdir -p "$new"
cp "$source/kernel-bridge" "$source/quicktry_matplotlib.py" "$source/quicktry_matplotlib.pth" "$new/"
chmod -R a+rX "$new"
rm -rf "$here/staged"
mv "$new" "$here/staged"
