declare i32 @getchar()
declare i32 @putchar(i32)

define i32 @main() {
entry:
  br label %loop

loop:
  %c = call i32 @getchar()
  %eof = icmp eq i32 %c, -1
  br i1 %eof, label %done, label %body

body:
  call i32 @putchar(i32 %c)
  br label %loop

done:
  ret i32 0
}
