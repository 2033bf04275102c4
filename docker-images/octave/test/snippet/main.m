% Solve a linear system and print a small table
A = [4 -2 1; -2 4 -2; 1 -2 4];
b = [11; -16; 17];
x = A \ b;
fprintf('x = [%s]\n', num2str(x', '%g '));

function y = square(x)
  y = x .^ 2;
end

v = 1:5;
fprintf('%d squared is %d\n', [v; square(v)]);

names = {'alpha', 'beta', 'gamma'};
for i = 1:numel(names)
  fprintf('%d: %s\n', i, upper(names{i}));
end

M = magic(3);
disp(sum(M))
fprintf('mean = %.2f\n', mean(M(:)));
