// Rhino: JavaScript with Java at hand
var list = new java.util.ArrayList();
["pear", "apple", "fig"].forEach(function (f) { list.add(f); });
java.util.Collections.sort(list);
print("sorted: " + list);

function Person(name, age) {
  this.name = name;
  this.age = age;
}
Person.prototype.greet = function () {
  return "Hi, I'm " + this.name + " (" + this.age + ")";
};

var people = [new Person("Ada", 36), new Person("Alan", 41)];
people.forEach(function (p) { print(p.greet()); });

var squares = [1, 2, 3, 4, 5].map(function (n) { return n * n; });
print(squares.join(", "));
print(java.lang.String.format("%05.1f|%-4s|", 3.14159, "js"));
print(JSON.stringify({ lang: "rhino", jvm: true }));
