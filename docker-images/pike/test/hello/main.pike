int main()
{
    int sum = 0;
    foreach (enumerate(10, 1, 1), int i)
        sum += i;
    write("hello, world\n");
    write("sum 1..10 = %d\n", sum);
    return 0;
}
