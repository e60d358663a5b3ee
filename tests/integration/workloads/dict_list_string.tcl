# dict_list_string.tcl: a dict, list and string workload for tclsh, run with
# and without memsnap; every line it prints must be the same both ways.
set records [dict create]
for {set i 0} {$i < 30000} {incr i} {
    set key "k[expr {$i % 1009}]"
    dict lappend records $key [string repeat [format %c [expr {97 + $i % 26}]] [expr {1 + $i % 60}]]
}
puts "keys [dict size $records]"

set lengths {}
dict for {key values} $records {
    lappend lengths [list $key [llength $values] [string length [join $values ""]]]
}
set sorted [lsort -integer -decreasing -index 2 [lsort -index 0 $lengths]]
puts "top [lrange $sorted 0 2]"

set text [join [lrange $sorted 0 499] ";"]
set mapped [string map {k K ; | 0 zero} $text]
puts "lengths [string length $text] [string length $mapped]"
puts "first [string range $mapped 0 60]"

set words [split [string repeat "alpha beta gamma delta " 5000] " "]
set unique [lsort -unique $words]
puts "words [llength $words] unique [llength $unique]"

foreach key [dict keys $records k1*] {
    dict unset records $key
}
puts "after unset [dict size $records]"

set checksum 0
foreach item [lsort [dict keys $records]] {
    set checksum [expr {($checksum * 31 + [llength [dict get $records $item]]) % 1000003}]
}
puts "checksum $checksum"
