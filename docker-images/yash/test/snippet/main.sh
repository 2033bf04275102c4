#!/usr/bin/env yash
# yash: POSIX sh plus arrays and a few extras
array fruits apple banana cherry
echo "${fruits[#]} fruits: ${fruits}"

array -i fruits 1 apricot
for f in "${fruits}"; do
  printf '%-8s %d letters\n' "$f" "${#f}"
done

greet() {
  typeset name="${1:-world}"
  echo "Hello, $name!"
}
greet
greet yash
echo "$(( 1 << 10 ))"
