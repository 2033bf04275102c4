        global  _start
        section .bss
buf:    resb    4096
        section .text
_start:
.read:  xor     rax, rax                ; read(0, buf, 4096)
        xor     rdi, rdi
        mov     rsi, buf
        mov     rdx, 4096
        syscall
        test    rax, rax
        jle     .done
        mov     rdx, rax                ; write(1, buf, n)
        mov     rax, 1
        mov     rdi, 1
        mov     rsi, buf
        syscall
        jmp     .read
.done:  mov     rax, 60
        xor     rdi, rdi
        syscall
