fn check-positive {|n|
  if (< $n 0) {
    fail "negative number: "$n
  }
  echo $n
}
check-positive 5
check-positive -3
