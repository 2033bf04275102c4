System.in.eachLine { line -> println line }
