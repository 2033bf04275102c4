MODULE main;

FROM STextIO IMPORT WriteString, WriteLn;
FROM SWholeIO IMPORT WriteCard;

VAR
  i, sum: CARDINAL;

BEGIN
  sum := 0;
  FOR i := 1 TO 10 DO
    sum := sum + i
  END;
  WriteString("hello, world"); WriteLn;
  WriteString("sum 1..10 = "); WriteCard(sum, 0); WriteLn
END main.
