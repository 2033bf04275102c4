class Book {
    String title
    String author
    int year
}

def books = [
    new Book(title: 'Dune', author: 'Herbert', year: 1965),
    new Book(title: 'Neuromancer', author: 'Gibson', year: 1984),
    new Book(title: 'Foundation', author: 'Asimov', year: 1951),
]

books.sort { it.year }.each { book ->
    println "${book.year}: ${book.title} by ${book.author}"
}

def titles = books.collect { it.title.toUpperCase() }.join(', ')
println "Titles: $titles"

def map = [one: 1, two: 2, three: 3]
map.each { k, v -> println "$k -> ${v * 10}" }
println books.findAll { it.year > 1960 }*.title
