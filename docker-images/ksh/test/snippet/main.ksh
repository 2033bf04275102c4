#!/bin/ksh
# Associative arrays, functions and printf in ksh93
typeset -A stock=([apple]=3 [pear]=0 [plum]=7)

function report {
  typeset name=$1
  typeset -i qty=$2
  if (( qty > 0 )); then
    printf "%-6s %3d\n" "$name" "$qty"
  else
    printf "%-6s sold out\n" "$name"
  fi
}

for fruit in apple pear plum; do
  report "$fruit" "${stock[$fruit]}"
done

typeset -u upper="korn shell"
print "$upper"
float avg=$(( (3 + 0 + 7) / 3.0 ))
printf "average: %.2f\n" "$avg"
