# Turn key=value records into CSV, drop comments, add a header
/^#/d
s/[[:space:]]+/ /g
s/name=([^ ]*) age=([0-9]+) city=(.*)/\1,\2,\3/
s/^./\u&/
1i name,age,city
$a --- end ---
