:- initialization(main, main).

main :-
    writeln("hello, world"),
    numlist(1, 10, L),
    sum_list(L, S),
    writeln(S).
