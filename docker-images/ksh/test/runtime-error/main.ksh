set -o errexit
print -u2 "about to fail"
cat /no/such/file
print "not reached"
