class Point {
    has $.x;
    has $.y;
    method distance-to(Point $p) {
        sqrt(($!x - $p.x)² + ($!y - $p.y)²)
    }
}

my $a = Point.new(x => 0, y => 0);
my $b = Point.new(x => 3, y => 4);
say "Distance: {$a.distance-to($b)}";

my @words = <apple Banana cherry date>;
say @words.sort(*.lc).join(', ');
say @words.map(*.chars).sum;

my %ages = Alice => 30, Bob => 25;
for %ages.sort(*.value) -> (:$key, :$value) {
    printf "%-6s %d\n", $key, $value;
}

say (1..10).grep(* %% 2).map(* ** 2);
