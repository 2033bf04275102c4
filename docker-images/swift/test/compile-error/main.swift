let count: Int = "three"
print(count)
