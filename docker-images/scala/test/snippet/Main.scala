object Main extends App {
  case class Book(title: String, year: Int)

  val books = List(Book("Dune", 1965), Book("Neuromancer", 1984), Book("Foundation", 1951))

  def describe(b: Book): String = s"${b.title} (${b.year})"

  books.sortBy(_.year).map(describe).foreach(println)

  val (old, recent) = books.partition(_.year < 1960)
  println(s"Before 1960: ${old.map(_.title).mkString(", ")}")
  println(s"Since 1960: ${recent.size} books")

  val nums = (1 to 10).filter(_ % 3 == 0)
  println(nums.mkString("[", ", ", "]"))
  println(books.head)

  books.find(_.year > 1980) match {
    case Some(b) => println(s"Found: ${b.title}")
    case None    => println("Not found")
  }
}
