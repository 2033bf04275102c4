interface User {
  id: number;
  name: string;
  email?: string;
}

type Role = "admin" | "editor" | "viewer";

function greet(user: User, role: Role = "viewer"): string {
  return `Hello, ${user.name} (#${user.id}) - ${role}`;
}

function firstOrDefault<T>(items: T[], fallback: T): T {
  return items.length > 0 ? items[0] : fallback;
}

const users: User[] = [
  { id: 1, name: "Ada", email: "ada@example.com" },
  { id: 2, name: "Linus" },
];

users.forEach((u) => console.log(greet(u)));
console.log(greet(users[0], "admin"));
console.log(users.map((u) => u.email ?? "(no email)").join(", "));

const empty: number[] = [];
console.log(firstOrDefault(empty, -1), firstOrDefault([7, 8], 0));
