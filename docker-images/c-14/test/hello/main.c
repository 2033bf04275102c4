#include <stdio.h>
#include <string.h>

int main(void) {
    char word[64];
    int count = 0;
    size_t longest = 0;
    while (scanf("%63s", word) == 1) {
        count++;
        if (strlen(word) > longest) longest = strlen(word);
    }
    printf("%d words, longest has %zu letters\n", count, longest);
    puts("OK");
    return 0;
}
