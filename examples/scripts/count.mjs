// Counts to n: one `::progress` line per number, then the total as the result.
const n = Number(process.argv[2]);
if (!Number.isInteger(n) || n < 1) {
  console.error(`count: expected a positive integer, got ${process.argv[2]}`);
  process.exit(2);
}
for (let i = 1; i <= n; i++) console.log(`::progress ${i}/${n} counted ${i}`);
console.log(`counted to ${n}`);
