@hello = private constant [13 x i8] c"hello, world\00"
@fmt = private constant [16 x i8] c"sum 1..10 = %d\0A\00"

declare i32 @puts(i8*)
declare i32 @printf(i8*, ...)

define i32 @main() {
entry:
  br label %loop

loop:
  %i = phi i32 [ 1, %entry ], [ %next, %loop ]
  %sum = phi i32 [ 0, %entry ], [ %acc, %loop ]
  %acc = add i32 %sum, %i
  %next = add i32 %i, 1
  %done = icmp sgt i32 %next, 10
  br i1 %done, label %exit, label %loop

exit:
  %h = getelementptr [13 x i8], [13 x i8]* @hello, i32 0, i32 0
  call i32 @puts(i8* %h)
  %f = getelementptr [16 x i8], [16 x i8]* @fmt, i32 0, i32 0
  call i32 (i8*, ...) @printf(i8* %f, i32 %acc)
  ret i32 0
}
