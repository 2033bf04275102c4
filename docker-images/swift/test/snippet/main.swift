import Foundation

struct Person {
    let name: String
    var age: Int
}

enum Direction: String, CaseIterable {
    case north, south, east, west
}

func greet(_ person: Person) -> String {
    return "Hello, \(person.name)! You are \(person.age)."
}

var people = [Person(name: "Alice", age: 30), Person(name: "Bob", age: 25)]
people.sort { $0.age < $1.age }
for person in people {
    print(greet(person))
}

let names = people.map { $0.name.uppercased() }.joined(separator: ", ")
print(names)

let evens = (1...10).filter { $0 % 2 == 0 }
print("Evens: \(evens)")
print(Direction.allCases.map(\.rawValue))
print(String(format: "Pi is about %.3f", Double.pi))

if let number = Int("42") {
    print("Parsed \(number)")
}
