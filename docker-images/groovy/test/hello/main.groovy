println "hello, world"
println "sum 1..10 = ${(1..10).sum()}"
