defmodule Greeter do
  def hello(name), do: "Hello, #{name}!"

  def fizzbuzz(n) when rem(n, 15) == 0, do: "FizzBuzz"
  def fizzbuzz(n) when rem(n, 3) == 0, do: "Fizz"
  def fizzbuzz(n) when rem(n, 5) == 0, do: "Buzz"
  def fizzbuzz(n), do: to_string(n)
end

IO.puts(Greeter.hello("Elixir"))

1..15
|> Enum.map(&Greeter.fizzbuzz/1)
|> Enum.join(" ")
|> IO.puts()

%{name: "Jose", langs: ["Ruby", "Elixir"]}
|> Map.get(:langs)
|> Enum.with_index()
|> Enum.each(fn {lang, i} -> IO.puts("#{i}: #{lang}") end)

IO.inspect(Enum.filter(1..10, &(rem(&1, 2) == 0)))

case File.read("missing.txt") do
  {:ok, _} -> IO.puts("found")
  {:error, reason} -> IO.inspect(reason, label: "error")
end
