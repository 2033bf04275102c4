proc factorial {n} {
    if {$n <= 1} {
        return 1
    }
    return [expr {$n * [factorial [expr {$n - 1}]]}]
}

set fruits [list apple banana cherry]
foreach fruit $fruits {
    puts "I like $fruit"
}
puts "5! = [factorial 5]"

array set ages {alice 30 bob 25}
foreach name [lsort [array names ages]] {
    puts [format "%-6s %3d" $name $ages($name)]
}

set d [dict create x 1 y 2]
dict for {k v} $d {
    puts "$k=$v"
}
puts [string toupper [join $fruits ", "]]
