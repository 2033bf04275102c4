# Every line is printed unchanged (sed's default).
