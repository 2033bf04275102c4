fun main() {
    println("hello, world")
    println((1..10).sum())
}
