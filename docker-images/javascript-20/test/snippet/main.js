// Node 20: ES2023 array methods (toSorted, findLast), structuredClone, node: imports.
const scores = [
  { name: "ada", score: 91 },
  { name: "bob", score: 78 },
  { name: "cy", score: 85 },
];

const ranked = scores.toSorted((a, b) => b.score - a.score);
console.log(ranked.map(({ name }) => name).join(" > "));
console.log(`last: ${scores.at(-1).name}, best: ${ranked[0].name}`);

const copy = structuredClone(scores);
copy[0].score = 0;
console.log(scores[0].score, copy[0].score);

const { readFile } = require("node:fs/promises");
console.log(typeof readFile, [1, 2, 3].findLast((n) => n % 2 === 1));
