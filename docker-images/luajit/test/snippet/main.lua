local ffi = require("ffi")

ffi.cdef[[
int printf(const char *fmt, ...);
]]

local Stack = {}
Stack.__index = Stack

function Stack.new()
  return setmetatable({ items = {}, size = 0 }, Stack)
end

function Stack:push(v)
  self.size = self.size + 1
  self.items[self.size] = v
end

function Stack:pop()
  local v = self.items[self.size]
  self.items[self.size] = nil
  self.size = self.size - 1
  return v
end

local s = Stack.new()
for _, word in ipairs({ "one", "two", "three" }) do s:push(word) end
while s.size > 0 do io.write(s:pop(), " ") end
print()

local t = {}
for i = 1, 5 do t[#t + 1] = i * i end
print(table.concat(t, ", "))
io.stdout:flush()
ffi.C.printf("%s %d\n", "via ffi:", ffi.new("int", 42))
