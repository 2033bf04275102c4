MODULE main;

FROM STextIO IMPORT WriteString, WriteLn;

BEGIN
  WriteString("missing end"); WriteLn
END wrong.
