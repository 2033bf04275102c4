@msg = private constant [22 x i8] c"something went wrong\0A\00"

declare i64 @write(i32, i8*, i64)

define i32 @main() {
  %m = getelementptr [22 x i8], [22 x i8]* @msg, i32 0, i32 0
  call i64 @write(i32 2, i8* %m, i64 21)
  ret i32 3
}
