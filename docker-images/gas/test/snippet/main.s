# Hello World in x86-64 AT&T syntax, then a countdown
        .section .data
msg:
        .ascii "Hello, World!\n"
        len = . - msg
digit:
        .ascii "0\n"

        .section .text
        .global _start
_start:
        movq $1, %rax           # sys_write
        movq $1, %rdi           # stdout
        leaq msg(%rip), %rsi
        movq $len, %rdx
        syscall

        movq $5, %r12
countdown:
        movq %r12, %rax
        addq $'0', %rax
        movb %al, digit(%rip)
        movq $1, %rax
        movq $1, %rdi
        leaq digit(%rip), %rsi
        movq $2, %rdx
        syscall
        decq %r12
        jnz countdown

        movq $60, %rax          # sys_exit
        xorq %rdi, %rdi
        syscall
