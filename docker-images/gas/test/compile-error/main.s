        .globl  _start
        .text
_start:
        movv    $60, %rax
        syscall
