[indent=4]
init
    try
        contents: string
        FileUtils.get_contents("/no/such/file", out contents)
    except e: FileError
        stderr.printf("Error: %s\n", e.message)
        Process.exit(1)
