fn main() {
    let v: Vec<i32> = Vec::new();
    let i = v.len() + 3;
    println!("{}", v[i]);
}
