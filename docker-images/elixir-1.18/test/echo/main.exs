IO.write(IO.read(:stdio, :eof))
