object Main {
  def main(args: Array[String]): Unit = {
    scala.io.Source.stdin.getLines().foreach(println)
  }
}
