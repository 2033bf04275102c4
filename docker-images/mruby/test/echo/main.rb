while line = STDIN.gets
  print line
end
