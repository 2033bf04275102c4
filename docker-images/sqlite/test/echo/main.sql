CREATE TABLE input(line TEXT);
.import /dev/stdin input
SELECT line FROM input;
