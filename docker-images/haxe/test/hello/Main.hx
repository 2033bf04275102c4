class Main {
    static function main() {
        var sum = 0;
        for (i in 1...11) sum += i;
        Sys.println("hello, world");
        Sys.println('sum 1..10 = $sum');
    }
}
