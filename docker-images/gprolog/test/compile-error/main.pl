:- initialization(main).

main :- write('unclosed'), nl
