class Main {
    static function main() {
        var values:Array<Int> = null;
        Sys.println("counting values");
        Sys.println(values.length);
    }
}
