program Example;

{$mode objfpc}{$H+}

uses
  SysUtils;

type
  TIntArray = array[1..5] of Integer;

function Sum(const A: TIntArray): Integer;
var
  i: Integer;
begin
  Result := 0;
  for i := Low(A) to High(A) do
    Result := Result + A[i];
end;

var
  Numbers: TIntArray = (4, 8, 15, 16, 23);
  i: Integer;
begin
  for i := 1 to 5 do
    Write(Numbers[i], ' ');
  WriteLn;
  WriteLn('Sum = ', Sum(Numbers));
  WriteLn(Format('Average = %.2f', [Sum(Numbers) / 5]));
  WriteLn(UpperCase('done'));
end.
