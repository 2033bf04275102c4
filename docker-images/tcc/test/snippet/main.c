#include <stdio.h>
#include <string.h>

struct point { int x, y; };

static void reverse(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

int main(void) {
    struct point pts[] = {{1, 2}, {3, 4}, {5, 6}};
    int n = sizeof pts / sizeof pts[0];
    for (int i = 0; i < n; i++)
        printf("point %d: (%d, %d)\n", i, pts[i].x, pts[i].y);

    char word[] = "tinycc";
    reverse(word);
    printf("reversed: %s\n", word);
    printf("%-6s|%5.2f|\n", "pi", 3.14159);
    return 0;
}
