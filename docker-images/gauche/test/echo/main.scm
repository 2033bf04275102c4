(port-for-each print read-line)
