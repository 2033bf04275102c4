say "hello, world";
say "sum 1..10 = {[+] 1..10}";
