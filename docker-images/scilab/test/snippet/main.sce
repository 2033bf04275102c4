// Solve a linear system, define a function, format a table
A = [4 -2 1; -2 4 -2; 1 -2 4];
b = [11; -16; 17];
x = A \ b;
mprintf("x = [%s]\n", strcat(string(round(x')), " "));

function y = square(x)
    y = x .^ 2;
endfunction

v = 1:5;
for k = v
    mprintf("%d squared is %d\n", k, square(k));
end

names = ["alpha", "beta", "gamma"];
mprintf("%s\n", convstr(names, "u")');
mprintf("mean = %.2f\n", mean(v));
