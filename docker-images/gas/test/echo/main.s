        .globl  _start
        .bss
        .lcomm  buf, 4096
        .text
_start:
1:      xor     %rax, %rax              # read(0, buf, 4096)
        xor     %rdi, %rdi
        lea     buf(%rip), %rsi
        mov     $4096, %rdx
        syscall
        test    %rax, %rax
        jle     2f
        mov     %rax, %rdx              # write(1, buf, n)
        mov     $1, %rax
        mov     $1, %rdi
        lea     buf(%rip), %rsi
        syscall
        jmp     1b
2:      mov     $60, %rax
        xor     %rdi, %rdi
        syscall
