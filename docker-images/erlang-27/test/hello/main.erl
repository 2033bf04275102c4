#!/usr/bin/env escript

main(_) ->
    io:format("hello, world~n"),
    io:format("~p~n", [lists:sum(lists:seq(1, 10))]).
