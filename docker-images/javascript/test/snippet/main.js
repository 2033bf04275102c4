const inventory = [
  { name: 'apples', qty: 2, price: 1.5 },
  { name: 'bananas', qty: 0, price: 0.25 },
  { name: 'cherries', qty: 5, price: 3 },
];

const inStock = inventory.filter(item => item.qty > 0);
const total = inStock.reduce((sum, { qty, price }) => sum + qty * price, 0);

inStock.forEach(({ name, qty }) => console.log(`${name}: ${qty}`));
console.log(`Total value: $${total.toFixed(2)}`);

const names = inventory.map(i => i.name.toUpperCase());
console.log(names);
console.log(JSON.stringify({ count: inStock.length, names }));

const add = (a, b = 10) => a + b;
console.log(add(5), [1, 2, 3].includes(2));
