program main;
var
  x: integer;
begin
  x := 'text';
end.
