#!/bin/bash

greet() {
    local name="$1"
    echo "Hello, $name!"
}

fruits=("apple" "banana" "cherry")
for fruit in "${fruits[@]}"; do
    greet "$fruit"
done
echo "There are ${#fruits[@]} fruits"

count=0
while IFS= read -r line; do
    if [[ -z "$line" ]]; then
        continue
    fi
    count=$((count + 1))
    echo "$count: ${line^^}"
done
echo "Read $count lines"

printf '%s\n' "${fruits[@]}" | sort -r | head -n 2
if [ -d /tmp ]; then echo "tmp exists"; fi
