[indent=4]
init
    line: string? = stdin.read_line()
    while line != null
        stdout.printf("%s\n", line)
        line = stdin.read_line()
