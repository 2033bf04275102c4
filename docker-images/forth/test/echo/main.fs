create buf 256 allot
: echo ( -- )
  begin buf 256 stdin read-line throw
  while buf swap type cr
  repeat drop ;
echo
