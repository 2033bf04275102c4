proc average {numbers} {
    expr {[tcl::mathop::+ {*}$numbers] / [llength $numbers]}
}
puts "average of nothing"
puts [average {}]
