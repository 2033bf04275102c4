[indent=4]
init
    var sum = 0
    for var i = 1 to 10
        sum += i
    print "hello, world"
    print "sum 1..10 = %d", sum
