#include <stdio.h>
#include <stdlib.h>

/* compare function for qsort */
int compare(const void *a, const void *b)
{
    return (*(int *)a - *(int *)b);
}

double average(int arr[], int n)
{
    int i, sum = 0;
    for (i = 0; i < n; i++)
        sum += arr[i];
    return (double)sum / n;
}

int main()
{
    int arr[] = {64, 25, 12, 22, 11};
    int n = sizeof(arr) / sizeof(arr[0]);
    int i;

    qsort(arr, n, sizeof(int), compare);
    printf("Sorted array: ");
    for (i = 0; i < n; i++)
        printf("%d ", arr[i]);
    printf("\n");
    printf("Average = %.2f\n", average(arr, n));
    return 0;
}
