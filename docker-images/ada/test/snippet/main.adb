with Ada.Text_IO;         use Ada.Text_IO;
with Ada.Integer_Text_IO; use Ada.Integer_Text_IO;

procedure Main is
   type Int_Array is array (Positive range <>) of Integer;

   function Sum (A : Int_Array) return Integer is
      Total : Integer := 0;
   begin
      for V of A loop
         Total := Total + V;
      end loop;
      return Total;
   end Sum;

   Numbers : constant Int_Array := (3, 1, 4, 1, 5, 9);
begin
   Put_Line ("Numbers:");
   for I in Numbers'Range loop
      Put (Numbers (I), Width => 3);
   end loop;
   New_Line;
   Put ("Sum = ");
   Put (Sum (Numbers), Width => 0);
   New_Line;
   Put_Line ("Count =" & Integer'Image (Numbers'Length));
end Main;
