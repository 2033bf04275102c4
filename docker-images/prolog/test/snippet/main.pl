% Family tree
parent(tom, bob).
parent(tom, liz).
parent(bob, ann).
parent(bob, pat).

grandparent(X, Z) :- parent(X, Y), parent(Y, Z).

ancestor(X, Y) :- parent(X, Y).
ancestor(X, Y) :- parent(X, Z), ancestor(Z, Y).

:- initialization(main).

main :-
    forall(grandparent(tom, G), format("tom is a grandparent of ~w~n", [G])),
    findall(C, parent(bob, C), Kids),
    length(Kids, N),
    format("bob has ~d children: ~w~n", [N, Kids]),
    setof(A, ancestor(A, pat), Ancestors),
    writeln(Ancestors),
    halt.
