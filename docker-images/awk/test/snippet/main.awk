# Sum the salary column per department
BEGIN { FS = "," }
NR == 1 { next }    # skip the header
$3 > 100 { print $1 " earns more than 100" }
{
    total[$2] += $3
    count[$2]++
}
END {
    PROCINFO["sorted_in"] = "@ind_str_asc"
    for (dept in total)
        printf "%-6s %d employees, avg %.2f\n", dept, count[dept], total[dept] / count[dept]
    print NR - 1, "rows"
}
