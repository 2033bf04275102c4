// Splits an arguments field the way a shell would for plain words and quotes, nothing more:
// `one "two words" 'three'` → ["one", "two words", "three"]. No expansion of any kind.
export function splitArgs(text) {
  const args = [];
  let current = "";
  let quote = null;
  let inWord = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}
