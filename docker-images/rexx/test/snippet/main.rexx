/* REXX: word statistics and a procedure */
text = 'the quick brown fox jumps over the lazy dog'
say 'Words:' words(text)

longest = ''
do i = 1 to words(text)
  w = word(text, i)
  if length(w) > length(longest) then longest = w
end
say 'Longest word:' longest

do n = 1 to 5
  say right(n, 2) right(square(n), 4)
end

say translate(reverse('rexx'))
say 'Formatted:' format(22 / 7, , 3)
exit 0

square: procedure
  arg x
  return x * x
