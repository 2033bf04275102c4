values = [1, 2, 3]
puts values[10]
