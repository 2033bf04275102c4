lines = readstr("/dev/stdin");
for (i = 1, #lines, print(lines[i]));
