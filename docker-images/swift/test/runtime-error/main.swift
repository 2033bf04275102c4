let values = [1, 2, 3]
let index = values.count + 2
print("reading index \(index)")
print(values[index])
