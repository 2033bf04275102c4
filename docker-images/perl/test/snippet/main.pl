#!/usr/bin/perl
use strict;
use warnings;

my %ages = (Tom => 30, Anna => 25, Bob => 35);

foreach my $name (sort keys %ages) {
    printf "%-5s %d\n", $name, $ages{$name};
}

my @older = grep { $ages{$_} > 28 } sort keys %ages;
print "Over 28: @older\n";

my $text = "The year 1999 and 2024";
my @years = $text =~ /(\d{4})/g;
print "Years: ", join(", ", @years), "\n";

(my $title = $text) =~ s/(\w+)/\u$1/g;
print "$title\n";

while (my $line = <STDIN>) {
    chomp $line;
    next unless $line;
    my ($key, $value) = split /=/, $line;
    print "$key => $value\n";
}
