parent(tom, bob).
parent(tom, liz).
parent(bob, ann).
parent(bob, pat).
parent(pat, jim).

grandparent(X, Z) :- parent(X, Y), parent(Y, Z).

len([], 0).
len([_|T], N) :- len(T, N0), N is N0 + 1.

main :-
    findall(G, grandparent(tom, G), Gs),
    format("tom's grandchildren: ~w~n", [Gs]),
    len(Gs, N),
    format("count: ~d~n", [N]),
    (   grandparent(bob, jim) -> write('bob is jim''s grandparent') ; write(no) ),
    nl,
    msort([banana, apple, cherry], Sorted),
    format("~w~n", [Sorted]).

:- initialization(main).
