program main;
var
  line: string;
begin
  while not eof(input) do
  begin
    readln(line);
    writeln(line);
  end;
end.
