MODULE main;

FROM STextIO IMPORT WriteString, WriteLn;
FROM SWholeIO IMPORT WriteCard;

CONST
  N = 10;

VAR
  primes: ARRAY [2..N * 3] OF BOOLEAN;
  i, j, count: CARDINAL;

PROCEDURE Factorial(n: CARDINAL): CARDINAL;
BEGIN
  IF n <= 1 THEN
    RETURN 1
  ELSE
    RETURN n * Factorial(n - 1)
  END
END Factorial;

BEGIN
  FOR i := 1 TO 5 DO
    WriteString("Factorial("); WriteCard(i, 0); WriteString(") = ");
    WriteCard(Factorial(i), 0); WriteLn
  END;

  FOR i := 2 TO N * 3 DO primes[i] := TRUE END;
  FOR i := 2 TO N * 3 DO
    IF primes[i] THEN
      j := i * 2;
      WHILE j <= N * 3 DO primes[j] := FALSE; INC(j, i) END
    END
  END;

  WriteString("Primes:");
  count := 0;
  FOR i := 2 TO N * 3 DO
    IF primes[i] THEN WriteString(" "); WriteCard(i, 0); INC(count) END
  END;
  WriteLn;
  WriteString("Count: "); WriteCard(count, 0); WriteLn
END main.
