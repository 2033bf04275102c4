int main()
{
    array(int) values = ({ 1, 2, 3 });
    write("%d\n", values[10]);
    return 0;
}
