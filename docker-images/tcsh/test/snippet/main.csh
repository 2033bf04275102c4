#!/bin/tcsh -f
# Arrays, loops and string modifiers in the C shell
set fruits = (apple banana cherry)
echo "There are $#fruits fruits"

set i = 1
while ( $i <= $#fruits )
  echo "$i. $fruits[$i]"
  @ i++
end

set file = /home/user/report.txt
echo "dir: $file:h  name: $file:t  ext: $file:e  root: $file:r"

foreach n (1 2 3 4 5)
  @ sq = $n * $n
  if ( $sq % 2 == 0 ) then
    echo "$n squared is $sq (even)"
  else
    echo "$n squared is $sq (odd)"
  endif
end
