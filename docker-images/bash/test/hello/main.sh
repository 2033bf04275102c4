read -r -a words
echo "${#words[@]} words, last: ${words[-1]}"
echo OK
