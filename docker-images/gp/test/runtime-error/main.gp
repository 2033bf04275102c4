f(n) = 1 / (n - 3);
print("f(4) = ", f(4));
print("f(3) = ", f(3));
