class Animal
  attr_reader :name

  def initialize(name)
    @name = name
  end

  def to_s
    "#{self.class.name.downcase} #{name}"
  end
end

class Dog < Animal
  def speak = "Woof"
end

class Cat < Animal
  def speak = "Meow"
end

pets = [Dog.new("Rex"), Cat.new("Tom")]
pets.each { |pet| puts "#{pet}: #{pet.speak}" }

squares = (1..5).map { |n| n * n }
puts squares.select { |n| n % 2 == 0 }.inspect
counts = Hash.new(0)
%w[a b a c a].each { |w| counts[w] += 1 }
puts counts.sort_by { |w, c| -c }.first.join(" => ")
printf("%.2f\n", 22 / 7.0)
