setopt err_exit
print "about to fail" >&2
false
print "not reached"
