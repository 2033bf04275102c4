with Ada.Text_IO; use Ada.Text_IO;

procedure Main is
   Total : Integer := 0;
begin
   for I in 1 .. 10 loop
      Total := Total + I;
   end loop;
   Put_Line ("hello, world");
   Put_Line (Integer'Image (Total) (2 .. Integer'Image (Total)'Last));
end Main;
