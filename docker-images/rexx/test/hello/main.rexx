/* REXX */
sum = 0
do i = 1 to 10
  sum = sum + i
end
say 'hello, world'
say 'sum 1..10 =' sum
