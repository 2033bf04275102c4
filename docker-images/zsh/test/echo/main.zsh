while IFS= read -r line; do
  print -r -- "$line"
done
