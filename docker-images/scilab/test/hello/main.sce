mprintf("hello, world\n");
mprintf("sum 1..10 = %d\n", sum(1:10));
