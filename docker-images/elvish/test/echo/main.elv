from-lines | each {|line| echo $line }
