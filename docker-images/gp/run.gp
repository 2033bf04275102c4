\\ Reads the program. gp ends with status 0 after an error in a file, so the error is reported here
\\ and the run ends with status 1. On stdout: gp 2.15 has no printerr, and the sandbox user cannot
\\ reopen /dev/stderr (a pipe the runner owns).
iferr(read("main.gp"), E, print("  *** ", E); quit(1));
quit
