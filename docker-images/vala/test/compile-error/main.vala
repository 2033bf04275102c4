void main () {
    int count = "three";
    print ("%d\n", count);
}
