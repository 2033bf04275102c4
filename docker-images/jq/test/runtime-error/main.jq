if .n == 0 then error("n must not be zero") else 1 / .n end
