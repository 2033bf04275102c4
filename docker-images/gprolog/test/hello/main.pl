:- initialization(main).

sum_to(0, 0) :- !.
sum_to(N, S) :- N1 is N - 1, sum_to(N1, S1), S is S1 + N.

main :-
    write('hello, world'), nl,
    sum_to(10, S),
    format("sum 1..10 = ~d~n", [S]).
