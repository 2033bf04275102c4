MODULE main;

IMPORT IOChan, IOConsts, StdChans;
FROM TextIO IMPORT ReadString, SkipLine, WriteString, WriteLn;

VAR
  in, out: IOChan.ChanId;
  line: ARRAY [0..1023] OF CHAR;

BEGIN
  in := StdChans.StdInChan();
  out := StdChans.StdOutChan();
  LOOP
    ReadString(in, line);
    CASE IOChan.ReadResult(in) OF
      IOConsts.endOfInput: EXIT
    | IOConsts.endOfLine: line[0] := 0C
    ELSE
    END;
    WriteString(out, line); WriteLn(out);
    SkipLine(in)
  END
END main.
