import std.stdio;
import std.algorithm;
import std.array;
import std.string;

struct Point
{
    int x, y;
}

void main()
{
    auto arr = [5, 2, 8, 1, 9];
    arr.sort();
    writeln(arr);
    writeln(arr.filter!(a => a % 2 == 1).map!(a => a * 10));
    writefln("sum = %d, max = %d", arr.sum, arr.maxElement);

    auto p = Point(3, 4);
    writeln(p);

    foreach (i, w; ["alpha", "beta"])
        writefln("%d: %s", i, w.toUpper);
}
