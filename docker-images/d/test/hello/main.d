import std.stdio;
import std.algorithm : sum;
import std.range : iota;

void main()
{
    writeln("hello, world");
    writeln(iota(1, 11).sum);
}
