int main () {
    int sum = 0;
    for (int i = 1; i <= 10; i++) {
        sum += i;
    }
    print ("hello, world\n");
    print ("sum 1..10 = %d\n", sum);
    return 0;
}
