print("hello, world")
let sum = (1...10).reduce(0, +)
print("sum 1..10 = \(sum)")
