cat("hello, world\n")
cat(sum(1:10), "\n", sep = "")
