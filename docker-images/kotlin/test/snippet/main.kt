data class Person(val name: String, val age: Int)

fun describe(p: Person) = "${p.name} is ${p.age}"

fun main() {
    val people = listOf(
        Person("Alice", 29),
        Person("Bob", 31),
        Person("Carol", 25)
    )
    people.sortedBy { it.age }.forEach { println(describe(it)) }
    println(people.first())

    val oldest = people.sortedByDescending { it.age }.first()
    println("Oldest: ${oldest.name}")
    val names = people.filter { it.age > 26 }.map { it.name.toUpperCase() }
    println("Over 26: $names")
    println("Total age: ${people.map { it.age }.sum()}")
    println(oldest.copy(age = 32))
}
