public class Person : Object {
    public string name { get; construct; }
    public int age { get; construct; }

    public Person (string name, int age) {
        Object (name: name, age: age);
    }

    public string greet () {
        return "Hi, I'm %s and I'm %d.".printf (name, age);
    }
}

int main (string[] args) {
    var people = new List<Person> ();
    people.append (new Person ("Alice", 30));
    people.append (new Person ("Bob", 25));

    foreach (var p in people) {
        stdout.printf ("%s\n", p.greet ());
    }

    string[] words = { "vala", "is", "fun" };
    stdout.printf ("%s\n", string.joinv (" ", words).up ());

    var map = new HashTable<string, int> (str_hash, str_equal);
    map["one"] = 1;
    map["two"] = 2;
    stdout.printf ("two = %d, size = %u\n", map["two"], map.size ());
    return 0;
}
