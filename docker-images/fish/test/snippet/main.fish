function greet --argument-names name
    if test -z "$name"
        set name World
    end
    echo "Hello, $name!"
end

greet
greet fish

set -l fruits apple banana cherry
for fruit in $fruits
    echo (string upper $fruit) has (string length $fruit) letters
end

set -l count (count $fruits)
echo "There are $count fruits"
echo (string join ", " $fruits[-1..1])
math "2 ^ 10"
