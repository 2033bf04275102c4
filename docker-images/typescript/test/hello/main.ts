let total: number = 0;
for (let i = 1; i <= 10; i++) total += i;
console.log("hello, world");
console.log(total);
