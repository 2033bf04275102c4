[indent=4]
init
    count: int = "three"
    print "%d", count
