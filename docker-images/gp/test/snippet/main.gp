\\ A few classic number theory one-liners
print("2^100 = ", 2^100);
print("factor(600851475143) = ", factor(600851475143));
print("first primes: ", primes(10));
fib(n) = if (n < 2, n, fib(n-1) + fib(n-2));
print("fib: ", vector(10, i, fib(i)));
print("B(10) = ", bernfrac(10));
print("gcd(462, 1071) = ", gcd(462, 1071));
printf("%.5f\n", sqrt(2));
M = [2, 1; 1, 3];
print("det = ", matdet(M), ", inverse = ", M^-1);
