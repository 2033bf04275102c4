: sum-to ( n -- sum )  0 swap 1+ 1 ?do i + loop ;
." hello, world" cr
." sum 1..10 = " 10 sum-to 0 .r cr
