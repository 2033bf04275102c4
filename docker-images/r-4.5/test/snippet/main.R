# Create a data frame
df <- data.frame(
  name = c("Alice", "Bob", "Carol", "Dave"),
  age = c(34, 28, 45, 39),
  dept = c("IT", "HR", "IT", "HR")
)

print(df[df$age > 30, ])
cat("Mean age:", mean(df$age), "\n")
print(aggregate(age ~ dept, data = df, FUN = mean))

sq <- sapply(1:5, function(x) x^2)
print(sq)
summary(c(1, 2, 3, 4, 100))
paste0("Item-", 1:3)
