local function map(t, f)
  local result = {}
  for i, v in ipairs(t) do
    result[i] = f(v)
  end
  return result
end

local fruits = { "banana", "apple", "cherry" }
table.sort(fruits)
print(table.concat(fruits, ", "))

local lengths = map(fruits, function(s) return #s end)
print(table.concat(lengths, " "))

local person = { name = "Lua", year = 1993 }
print(string.format("%s was created in %d", person.name, person.year))

for word in ("one two three"):gmatch("%a+") do
  io.write(word:upper(), " ")
end
print()
print(#fruits, 10 // 3, 2 ^ 10)
