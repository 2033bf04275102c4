:- initialization(main).

copy :-
    get_char(C),
    (   C == end_of_file
    ->  true
    ;   put_char(C), copy
    ).

main :- copy.
