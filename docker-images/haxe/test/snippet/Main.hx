enum Shape {
    Circle(r:Float);
    Rectangle(w:Float, h:Float);
}

class Main {
    static function area(s:Shape):Float {
        return switch (s) {
            case Circle(r): Math.PI * r * r;
            case Rectangle(w, h): w * h;
        }
    }

    static public function main():Void {
        var shapes = [Circle(1), Rectangle(2, 3)];
        for (s in shapes) {
            trace('$s has area ${Math.round(area(s) * 100) / 100}');
        }

        var evens = [for (i in 0...10) if (i % 2 == 0) i];
        trace(evens);

        var ages = ["alice" => 30, "bob" => 25];
        var names = [for (k in ages.keys()) k];
        names.sort(Reflect.compare);
        for (name in names) Sys.println('${name.toUpperCase()}: ${ages[name]}');
    }
}
