import java.util.List;
import java.util.stream.Collectors;

public class Shapes {
    sealed interface Shape permits Circle, Square {}
    record Circle(double r) implements Shape {}
    record Square(double side) implements Shape {}

    static double area(Shape shape) {
        return switch (shape) {
            case Circle c -> Math.PI * c.r() * c.r();
            case Square s -> s.side() * s.side();
        };
    }

    public static void main(String[] args) {
        var shapes = List.of(new Circle(1), new Square(2), new Circle(0.5));
        var text = """
            Shapes: %d
            Total area: %.3f""".formatted(shapes.size(), shapes.stream().mapToDouble(Shapes::area).sum());
        System.out.println(text);
        System.out.println(shapes.stream()
            .map(s -> s instanceof Circle(double r) ? "circle r=" + r : "square")
            .collect(Collectors.joining(", ")));
    }
}
