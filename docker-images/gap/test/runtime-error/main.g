average := function(list)
  return Sum(list) / Length(list);
end;
Print("average of the empty list\n");
Print(average([]), "\n");
