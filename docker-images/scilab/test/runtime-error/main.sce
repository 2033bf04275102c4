A = [1 2; 3 4];
B = [1 2 3];
mprintf("multiplying a 2x2 by a 1x3 matrix\n");
C = A * B;
