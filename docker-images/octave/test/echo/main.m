line = fgetl(stdin);
while ischar(line)
  printf("%s\n", line);
  line = fgetl(stdin);
end
