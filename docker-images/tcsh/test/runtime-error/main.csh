echo "reading a missing file"
set contents = `cat /no/such/file`
if ( $status != 0 ) then
  echo "failed to read /no/such/file" > /dev/stderr
  exit 2
endif
