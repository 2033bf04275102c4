#!/bin/sh
# Portable shell: functions, case, parameter expansion and a here-document
usage() {
  printf 'usage: %s <file>\n' "$1"
}

classify() {
  case "$1" in
    *.tar.gz|*.tgz) echo "$1: tarball" ;;
    *.sh)           echo "$1: shell script" ;;
    *)              echo "$1: unknown" ;;
  esac
}

for f in backup.tar.gz run.sh notes.txt; do
  classify "$f"
done

path=/usr/local/bin/tool.sh
echo "dir=${path%/*} file=${path##*/} base=${path%.sh}"
usage "${0##*/}"

count=0
while read -r name age; do
  count=$((count + 1))
  printf '%-6s %3d\n' "$name" "$age"
done <<EOF2
alice 31
bob 25
EOF2
echo "$count records"
