def average(numbers)
  raise ArgumentError, "no numbers" if numbers.empty?
  numbers.sum / numbers.size
end
puts "average of nothing"
puts average([])
