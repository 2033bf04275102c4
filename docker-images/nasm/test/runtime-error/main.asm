        global  _start
        section .data
msg:    db      "something went wrong", 10
len     equ     $ - msg
        section .text
_start:
        mov     rax, 1                  ; write(2, msg, len)
        mov     rdi, 2
        mov     rsi, msg
        mov     rdx, len
        syscall
        mov     rax, 60                 ; exit(3)
        mov     rdi, 3
        syscall
