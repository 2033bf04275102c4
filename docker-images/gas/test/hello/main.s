# prints "hello, world" and the sum 1..10 in decimal
        .globl  _start
        .data
hello:  .ascii  "hello, world\n"
        .set    hellolen, . - hello
label:  .ascii  "sum 1..10 = "
        .set    labellen, . - label

        .bss
        .lcomm  digits, 24

        .text
_start:
        mov     $1, %rax
        mov     $1, %rdi
        lea     hello(%rip), %rsi
        mov     $hellolen, %rdx
        syscall

        mov     $1, %rax
        mov     $1, %rdi
        lea     label(%rip), %rsi
        mov     $labellen, %rdx
        syscall

        xor     %rax, %rax              # sum
        mov     $10, %rcx
1:      add     %rcx, %rax
        loop    1b

        lea     digits+23(%rip), %rsi   # the number backwards, newline last
        movb    $10, (%rsi)
        mov     $10, %rbx
2:      xor     %rdx, %rdx
        div     %rbx
        add     $'0', %dl
        dec     %rsi
        mov     %dl, (%rsi)
        test    %rax, %rax
        jnz     2b

        lea     digits+24(%rip), %rdx
        sub     %rsi, %rdx
        mov     $1, %rax
        mov     $1, %rdi
        syscall

        mov     $60, %rax
        xor     %rdi, %rdi
        syscall
