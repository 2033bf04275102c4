// Java 25: a compact source file with an instance main method, no class declaration.
import java.util.List;

record Order(String item, int quantity, double price) {
    double total() { return quantity * price; }
}

void main() {
    var orders = List.of(new Order("apple", 3, 0.5), new Order("pear", 2, 0.75), new Order("plum", 10, 0.2));
    for (var order : orders) {
        IO.println("%-5s %6.2f".formatted(order.item(), order.total()));
    }
    IO.println("Sum: " + orders.stream().mapToDouble(Order::total).sum());
}
