class Counter
{
    mapping(string:int) counts = ([]);

    void add(string word) { counts[word]++; }

    array(string) top(int n)
    {
        array(string) words = indices(counts);
        sort(map(words, lambda(string w) { return -counts[w]; }), words);
        return words[..n-1];
    }
}

int main()
{
    Counter c = Counter();
    foreach ("the cat and the dog and the bird" / " ", string w)
        c->add(w);

    foreach (c->top(2), string w)
        write("%-4s %d\n", w, c->counts[w]);

    array(int) squares = map(enumerate(5, 1, 1), lambda(int x) { return x * x; });
    write("squares: %s\n", (array(string))squares * ", ");
    write("upper: %s\n", upper_case("pike"));
    return 0;
}
