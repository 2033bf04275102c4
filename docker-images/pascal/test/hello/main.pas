program main;
var
  i, total: integer;
begin
  total := 0;
  for i := 1 to 10 do
    total := total + i;
  writeln('hello, world');
  writeln(total);
end.
