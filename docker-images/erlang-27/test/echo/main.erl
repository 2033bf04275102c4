#!/usr/bin/env escript

main(_) ->
    copy().

copy() ->
    case io:get_line("") of
        eof -> ok;
        Line -> io:put_chars(Line), copy()
    end.
