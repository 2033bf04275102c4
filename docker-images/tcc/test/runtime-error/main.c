#include <stdio.h>
#include <stdlib.h>

int main(void) {
    FILE *f = fopen("/no/such/file", "r");
    if (f == NULL) {
        perror("fopen");
        exit(2);
    }
    return 0;
}
