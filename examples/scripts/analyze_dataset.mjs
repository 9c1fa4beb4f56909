// Per-region statistics of a CSV file from ../data, streamed line by line so
// that a file of any size is read in constant memory.
import { createReadStream, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';

const name = process.argv[2] ?? '';
const delayArg = process.argv.find((a) => a.startsWith('--delay-ms='));
const delayMs = delayArg ? Number(delayArg.slice('--delay-ms='.length)) : 0;
// The schema already restricts the name; a script should still refuse paths.
if (name !== basename(name) || name.startsWith('.')) {
  console.error(`analyze_dataset: "${name}" is not a plain file name`);
  process.exit(2);
}
const file = join(import.meta.dirname, '..', 'data', name);
let size;
try {
  size = statSync(file).size;
} catch {
  console.error(`analyze_dataset: no dataset named ${name} in examples/data`);
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stream = createReadStream(file);
const lines = createInterface({ input: stream, crlfDelay: Infinity });
const regions = new Map();
let header;
let rows = 0;
let consumed = 0; // bytes of the lines read so far: exact, unlike the stream's read-ahead
for await (const line of lines) {
  consumed += Buffer.byteLength(line) + 1;
  if (header === undefined) {
    header = line.split(',');
    continue;
  }
  if (line.trim() === '') continue;
  const record = Object.fromEntries(line.split(',').map((v, i) => [header[i], v]));
  const revenue = Number(record.quantity) * Number(record.unit_price);
  const r = regions.get(record.region) ?? { rows: 0, revenue: 0 };
  r.rows++;
  r.revenue += revenue;
  regions.set(record.region, r);
  rows++;
  if (rows % 100 === 0) {
    // Progress must strictly increase: keep the last byte for the final "done" line below,
    // which would otherwise repeat the value (and be dropped) when the file ends on a round row.
    console.log(`::progress ${Math.min(consumed, size - 1)}/${size} ${rows} rows read`);
    if (delayMs > 0) await sleep(delayMs);
  }
}
console.log(`::progress ${size}/${size} done: ${rows} rows read`);
console.log(`dataset ${name}: ${rows} rows, ${regions.size} regions`);
for (const [region, r] of [...regions].sort((a, b) => b[1].revenue - a[1].revenue)) {
  console.log(`${region}: ${r.rows} orders, revenue ${r.revenue.toFixed(2)}, average ${(r.revenue / r.rows).toFixed(2)}`);
}
