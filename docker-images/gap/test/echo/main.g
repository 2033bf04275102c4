input := InputTextUser();
line := ReadLine(input);
while line <> fail do
  Print(line);
  line := ReadLine(input);
od;
