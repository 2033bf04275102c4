object Main {
  def main(args: Array[String]): Unit = {
    println("hello, world")
    println((1 to 10).sum)
  }
}
