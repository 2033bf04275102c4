:- initialization(main).

% GNU Prolog ends with status 0 after an uncaught error in a directive: report it and halt(1).
main :-
    catch(X is 1 / 0, E, (write(user_error, E), nl(user_error), halt(1))),
    write(X), nl.
