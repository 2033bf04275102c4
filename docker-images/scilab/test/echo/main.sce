lines = mgetl(%io(1));
for i = 1:size(lines, "*")
    mprintf("%s\n", lines(i));
end
