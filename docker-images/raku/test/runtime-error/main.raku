sub divide($a, $b) {
    die "cannot divide $a by zero" if $b == 0;
    $a / $b
}
say divide(10, 0);
