import strutils, sequtils, tables

type
  Person = object
    name: string
    age: int

proc greet(p: Person): string =
  result = "Hi, " & p.name & "!"

let people = @[Person(name: "Alice", age: 30), Person(name: "Bob", age: 25)]
for p in people:
  echo greet(p)

let ages = people.mapIt(it.age)
echo "Total age: ", ages.foldl(a + b)
echo "hello world".toUpperAscii.split(' ')

var counts = initCountTable[char]()
for c in "mississippi":
  counts.inc(c)
echo "s appears ", counts['s'], " times"
echo people[0]
