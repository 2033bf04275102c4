:- initialization(main, main).

main :-
    read_string(user_input, _, S),
    write(S).
