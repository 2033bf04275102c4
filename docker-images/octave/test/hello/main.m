disp("hello, world")
printf("sum 1..10 = %d\n", sum(1:10))
