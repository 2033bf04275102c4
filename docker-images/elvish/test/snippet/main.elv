# Maps, lambdas and pipelines in Elvish
use str
var langs = [&go=2009 &elvish=2016 &lua=1993]

for name [(keys $langs | order)] {
  printf "%-7s %d\n" $name $langs[$name]
}

fn square {|x| * $x $x }
echo (each {|n| square $n } [1 2 3 4 5])

var words = [banana Apple cherry]
echo (str:join ", " [(order &key={|w| str:to-lower $w } $words)])
put (count $words) | each {|n| echo "count: "$n }
