while let line = readLine(strippingNewline: false) {
    print(line, terminator: "")
}
