import { readFileSync } from 'fs';

interface Score {
  player: string;
  points: number;
}

function groupBy<T, K extends string>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {
  const groups = {} as Record<K, T[]>;
  for (const item of items) {
    (groups[key(item)] ??= []).push(item);
  }
  return groups;
}

const scores: Score[] = readFileSync(0, 'utf8')
  .trim()
  .split('\n')
  .map(line => line.split(','))
  .map(([player, points]) => ({ player, points: Number(points) }));

const byPlayer = groupBy(scores, s => s.player);
const totals = Object.entries(byPlayer)
  .map(([player, games]) => ({ player, total: games.reduce((sum, g) => sum + g.points, 0), games: games.length }))
  .sort((a, b) => b.total - a.total);

for (const { player, total, games } of totals) {
  console.log(`${player.padEnd(6)} ${String(total).padStart(4)} in ${games} game${games === 1 ? '' : 's'}`);
}
const best = totals.at(0);
console.log(`winner: ${best?.player ?? 'nobody'}`);
