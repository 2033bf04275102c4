# Dictionaries, lambdas and string formatting in Jim Tcl
set ages [dict create Alice 30 Bob 25 Carol 35]

foreach name [lsort [dict keys $ages]] {
    puts [format "%-6s %3d" $name [dict get $ages $name]]
}

set square {{x} {expr {$x * $x}}}
puts [lmap n {1 2 3 4 5} {apply $square $n}]

proc fact {n} {
    if {$n <= 1} { return 1 }
    expr {$n * [fact [expr {$n - 1}]]}
}
puts "10! = [fact 10]"
puts [string toupper [join [lreverse {c b a}] "-"]]
