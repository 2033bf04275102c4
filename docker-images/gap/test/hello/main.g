Print("hello, world\n");
Print("sum 1..10 = ", Sum([1..10]), "\n");
