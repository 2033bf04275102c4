console.log "hello, world"
sum = [1..10].reduce (a, b) -> a + b
console.log "sum 1..10 = #{sum}"
