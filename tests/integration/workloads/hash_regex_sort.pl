# hash_regex_sort.pl: a hash, regex and sort workload for perl, run with and
# without memsnap; every line it prints must be the same both ways.
use strict;
use warnings;

my %words;
my @lines;
for my $i (1 .. 40000) {
    my $line = sprintf("record %06d key=k%d value=%s end", $i, $i % 997,
                       join("-", map { chr(97 + ($i * $_) % 26) } 1 .. (1 + $i % 40)));
    push @lines, $line;
}

# Regex captures feeding a hash of arrays.
for my $line (@lines) {
    if ($line =~ /^record (\d+) key=(k\d+) value=([a-z-]+) end$/) {
        push @{ $words{$2} }, length($3) + $1 % 7;
    }
}
print "keys ", scalar(keys %words), "\n";

# Sorting by numeric and string keys, with a custom comparator.
my @sorted = sort { @{ $words{$b} } <=> @{ $words{$a} } or $a cmp $b } keys %words;
print "first @sorted[0 .. 4]\n";
print "last @sorted[-3 .. -1]\n";

my $total = 0;
for my $key (sort keys %words) {
    my @values = sort { $a <=> $b } @{ $words{$key} };
    $total = ($total * 31 + $values[0] + $values[-1] + scalar(@values)) % 1000003;
}
print "total $total\n";

# Substitution that grows and shrinks strings.
my $text = join("\n", @lines[0 .. 4999]);
(my $upper = $text) =~ s/([aeiou])/uc($1) x 3/ge;
(my $short = $upper) =~ s/-[A-Za-z]+//g;
print "lengths ", length($text), " ", length($upper), " ", length($short), "\n";

# Deleting half the hash, then rebuilding it.
delete $words{$_} for grep { /[13579]$/ } keys %words;
my %inverse = map { $_ => scalar @{ $words{$_} } } keys %words;
print "remaining ", scalar(keys %inverse), " sum ", eval { my $s = 0; $s += $_ for values %inverse; $s }, "\n";
