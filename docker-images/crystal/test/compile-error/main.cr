def add(a : Int32, b : Int32) : Int32
  a + b
end

puts add(1, "two")
