set line = "$<"
while ( $status == 0 && "$line" != "" )
  echo "$line"
  set line = "$<"
end
