#!/usr/bin/env zsh

# Count word frequencies with an associative array
typeset -A counts
words=(apple banana apple cherry banana apple)

for w in $words; do
  (( counts[$w]++ ))
done

for w in ${(ko)counts}; do
  printf "%-8s %d\n" $w $counts[$w]
done

greet() {
  local name=${1:-world}
  echo "Hello, ${(C)name}!"
}
greet zsh
echo "Upper: ${(U)words[1]}"
