for $*IN.lines -> $line {
    say $line;
}
