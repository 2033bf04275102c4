use strict;
use warnings;
my $total = 0;
$total += $_ for 1 .. 10;
print "hello, world\n$total\n";
