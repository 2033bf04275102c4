set -e
echo "about to fail" >&2
cat /no/such/file
echo "not reached"
