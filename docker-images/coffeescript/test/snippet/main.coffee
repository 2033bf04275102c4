class Animal
  constructor: (@name) ->

  move: (meters) ->
    console.log "#{@name} moved #{meters}m."

class Snake extends Animal
  move: ->
    console.log "Slithering..."
    super 5

class Horse extends Animal
  move: ->
    console.log "Galloping..."
    super 45

sam = new Snake "Sammy the Python"
tom = new Horse "Tommy the Palomino"

sam.move()
tom.move()

square = (x) -> x * x
evens = (square n for n in [1..10] when n % 2 is 0)
console.log evens.join ', '

{name, age = 30} = {name: 'Ada'}
console.log "#{name} is #{age}"
