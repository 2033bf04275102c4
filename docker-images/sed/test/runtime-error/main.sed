/^ERROR/{
  s/^ERROR /fatal: /
  p
  Q 2
}
