class Person
  getter name : String
  getter age : Int32

  def initialize(@name, @age)
  end

  def to_s(io)
    io << "#{name} (#{age})"
  end
end

people = [Person.new("Alice", 30), Person.new("Bob", 25), Person.new("Carol", 35)]

people.sort_by(&.age).each do |person|
  puts person
end

average = people.sum(&.age) / people.size
puts "Average age: #{average.round(1)}"

squares = (1..5).map { |x| x * x }
puts squares.inspect
