class Animal
  attr_reader :name, :sound

  def initialize(name, sound)
    @name = name
    @sound = sound
  end

  def speak
    "#{name} says #{sound}!"
  end
end

animals = [Animal.new("Dog", "woof"), Animal.new("Cat", "meow"), Animal.new("Cow", "moo")]
animals.each { |a| puts a.speak }

puts animals.map(&:name).sort.join(", ")
p animals.select { |a| a.sound.length > 3 }.map(&:name)

scores = { alice: 90, bob: 72, carol: 85 }
scores.each do |name, score|
  puts "#{name.to_s.capitalize}: #{score >= 80 ? 'pass' : 'retry'}"
end
(1..5).each_slice(2) { |pair| p pair }
