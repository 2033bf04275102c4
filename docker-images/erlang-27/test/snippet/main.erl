#!/usr/bin/env escript
%% -*- erlang -*-

fact(0) -> 1;
fact(N) when N > 0 -> N * fact(N - 1).

main(_Args) ->
    io:format("fact(10) = ~p~n", [fact(10)]),
    L = [X * X || X <- lists:seq(1, 10), X rem 2 =:= 0],
    io:format("~p~n", [L]),
    {Evens, Odds} = lists:partition(fun(X) -> X rem 2 =:= 0 end, lists:seq(1, 7)),
    io:format("evens=~w odds=~w~n", [Evens, Odds]),
    Map = #{apple => 3, pear => 5},
    io:format("pears: ~p~n", [maps:get(pear, Map)]),
    case lists:keyfind(bob, 1, [{alice, 30}, {bob, 25}]) of
        {bob, Age} -> io:format("bob is ~B~n", [Age]);
        false -> io:format("no bob~n")
    end.
