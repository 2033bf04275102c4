[indent=4]

class Animal
    prop name: string

    construct(name: string)
        self.name = name

    def virtual speak(): string
        return "..."

class Dog: Animal
    construct(name: string)
        super(name)

    def override speak(): string
        return "Woof"

init
    animals: array of Animal = {new Dog("Rex"), new Animal("Generic")}
    for a in animals
        print "%s says %s", a.name, a.speak()

    var squares = new array of int[5]
    for var i = 0 to 4
        squares[i] = (i + 1) * (i + 1)
    var text = ""
    for s in squares
        text += "%d ".printf(s)
    print text.strip()
