while read -l line
    echo $line
end
