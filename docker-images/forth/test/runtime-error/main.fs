: divide ( a b -- q ) / ;
." dividing" cr
10 0 divide .
