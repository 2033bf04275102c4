def items = [1, 2, 3]
def divisor = 0
println items.sum() / divisor
