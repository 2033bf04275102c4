IO.puts("hello, world")
IO.puts(Enum.sum(1..10))
