fn main() {
    let numbers = vec![3, 1, 4, 1, 5, 9, 2, 6];
    let doubled: Vec<i32> = numbers.iter().map(|x| x * 2).collect();
    let evens: Vec<_> = numbers.iter().filter(|&&x| x % 2 == 0).cloned().collect();
    let total: i32 = numbers.iter().sum();

    println!("{:?}", doubled);
    println!("evens = {:?}", evens);
    let summary = format!("sum = {}, max = {}", total, numbers.iter().max().unwrap());
    println!("{}", summary);

    let mut words = vec!["pear", "apple", "fig"];
    words.sort();
    for (i, w) in words.iter().enumerate() {
        println!("{}: {}", i, w);
    }

    let sentence = "hello rust world";
    let caps: Vec<String> = sentence.split_whitespace().map(|s| s.to_uppercase()).collect();
    println!("{}", caps.join("-"));
}
