import java.util.*;

public class PrimeNumbers {
    static boolean isPrime(int n) {
        if (n < 2) return false;
        for (int i = 2; i * i <= n; i++) {
            if (n % i == 0) return false;
        }
        return true;
    }

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int limit = sc.nextInt();

        List<Integer> primes = new ArrayList<>();
        for (int i = 1; i <= limit; i++) {
            if (isPrime(i)) primes.add(i);
        }
        System.out.println("Primes: " + primes);

        int sum = 0;
        for (int p : primes) sum += p;
        System.out.println(String.format("Count: %d, Sum: %d", primes.size(), sum));

        Map<String, Integer> ages = new HashMap<>();
        ages.put("Bob", 31);
        ages.put("Alice", 29);
        for (String name : new TreeSet<>(ages.keySet())) {
            System.out.printf("%s -> %d%n", name, ages.get(name));
        }
    }
}
