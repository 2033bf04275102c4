MODULE main;

FROM STextIO IMPORT WriteString, WriteLn;
FROM SWholeIO IMPORT WriteInt;

VAR
  values: ARRAY [1..3] OF INTEGER;
  i: INTEGER;

BEGIN
  WriteString("indexing past the end"); WriteLn;
  i := 5;
  values[i] := 1;
  WriteInt(values[i], 0); WriteLn
END main.
