#include <stdio.h>

int main(void) {
    int sum = 0;
    for (int i = 1; i <= 10; i++) sum += i;
    printf("hello, world\n");
    printf("sum 1..10 = %d\n", sum);
    return 0;
}
