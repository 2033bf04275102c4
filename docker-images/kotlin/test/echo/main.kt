fun main() {
    print(generateSequence(::readLine).joinToString("") { it + "\n" })
}
