/* REXX: Regina reports one more line at the end of stdin, an empty one read at end of file */
do forever
  line = linein()
  if line == '' & lines() = 0 then leave
  say line
end
