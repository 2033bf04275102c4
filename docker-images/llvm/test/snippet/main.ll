; Recursive factorial, called in a loop and printed with printf
@.fmt = private unnamed_addr constant [12 x i8] c"%d! = %lld\0A\00", align 1

declare i32 @printf(i8* nocapture readonly, ...)

define i64 @factorial(i64 %n) {
entry:
  %cmp = icmp sle i64 %n, 1
  br i1 %cmp, label %base, label %recurse

base:
  ret i64 1

recurse:
  %n1 = sub i64 %n, 1
  %r = call i64 @factorial(i64 %n1)
  %res = mul i64 %n, %r
  ret i64 %res
}

define i32 @main() {
entry:
  %i = alloca i32, align 4
  store i32 1, i32* %i, align 4
  br label %cond

cond:
  %iv = load i32, i32* %i, align 4
  %cmp = icmp sle i32 %iv, 10
  br i1 %cmp, label %body, label %end

body:
  %n = sext i32 %iv to i64
  %f = call i64 @factorial(i64 %n)
  %fmt = getelementptr inbounds [12 x i8], [12 x i8]* @.fmt, i64 0, i64 0
  call i32 (i8*, ...) @printf(i8* %fmt, i32 %iv, i64 %f)
  %next = add nsw i32 %iv, 1
  store i32 %next, i32* %i, align 4
  br label %cond

end:
  ret i32 0
}
