class Main {
    static function main() {
        var input = Sys.stdin();
        try {
            while (true) Sys.println(input.readLine());
        } catch (e:haxe.io.Eof) {}
    }
}
