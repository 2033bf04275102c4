fn main() {
    let total: i32 = (1..=10).sum();
    println!("hello, world");
    println!("{}", total);
}
