        global  _start
        section .text
_start:
        mov     rax, 60
        movv    rdi, 0
        syscall
