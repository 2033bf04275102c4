; prints "hello, world" and the sum 1..10 in decimal
        global  _start
        section .data
hello:  db      "hello, world", 10
hellolen equ    $ - hello
label:  db      "sum 1..10 = "
labellen equ    $ - label

        section .bss
digits: resb    24

        section .text
_start:
        mov     rax, 1
        mov     rdi, 1
        mov     rsi, hello
        mov     rdx, hellolen
        syscall

        mov     rax, 1
        mov     rdi, 1
        mov     rsi, label
        mov     rdx, labellen
        syscall

        xor     rax, rax                ; sum
        mov     rcx, 10
.add:   add     rax, rcx
        loop    .add

        lea     rsi, [digits + 23]      ; build the number backwards, newline last
        mov     byte [rsi], 10
        mov     rbx, 10
.digit: xor     rdx, rdx
        div     rbx
        add     dl, '0'
        dec     rsi
        mov     [rsi], dl
        test    rax, rax
        jnz     .digit

        lea     rdx, [digits + 24]
        sub     rdx, rsi
        mov     rax, 1
        mov     rdi, 1
        syscall

        mov     rax, 60
        xor     rdi, rdi
        syscall
