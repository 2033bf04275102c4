const input = require("fs").readFileSync(0, "utf8");
const words = input.split(/\s+/).filter(Boolean);
console.log(`${words.length} words, sum of lengths: ${words.reduce((n, w) => n + w.length, 0)}`);
console.log("OK");
