BEGIN {
    for (i = 1; i <= 10; i++) total += i
    print "hello, world"
    print total
}
