; Hello World + a countdown, Linux x86-64 system calls
section .data
    msg     db  "Hello, World!", 0xA
    msglen  equ $ - msg
    digit   db  "0", 0xA

section .text
    global _start

_start:
    ; write(1, msg, msglen)
    mov rax, 1
    mov rdi, 1
    mov rsi, msg
    mov rdx, msglen
    syscall

    mov r12, 5              ; counter
countdown:
    mov rax, r12
    add rax, '0'
    mov [digit], al
    mov rax, 1
    mov rdi, 1
    mov rsi, digit
    mov rdx, 2
    syscall
    dec r12
    jnz countdown

    ; exit(0)
    mov rax, 60
    xor rdi, rdi
    syscall
