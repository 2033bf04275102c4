#!/usr/bin/env escript

main(_) ->
    erlang:error(boom).
