# Groups, permutations and list operations
G := SymmetricGroup(4);
Print("Size of S4: ", Size(G), "\n");
Print("Is S4 solvable? ", IsSolvable(G), "\n");

p := (1,2,3)(4,5);
Print("Order of ", p, " is ", Order(p), "\n");

fib := function(n)
  if n <= 2 then return 1; fi;
  return fib(n - 1) + fib(n - 2);
end;
Print(List([1..10], fib), "\n");

primes := Filtered([1..30], IsPrime);
Print("Primes up to 30: ", primes, "\n");
Print("Factors of 360: ", FactorsInt(360), "\n");
