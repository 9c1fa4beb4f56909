// A four-stage pipeline over N items. Progress counts item-stages, so the
// total is 4 * N, and each message names the stage. Each of its 80 progress
// steps takes --step-ms (default 50 ms), about 4 s in all: long enough to see
// the example's SSE polling (closeStreamAfter: 2s) close and resume the stream.
// After each stage it prints `::checkpoint`, so as a task it is resumable.
const items = Number(process.argv[2]);
const stepArg = process.argv.find((a) => a.startsWith('--step-ms='));
const stepMs = stepArg ? Number(stepArg.slice('--step-ms='.length)) : 50;
if (!Number.isInteger(items) || items < 1) {
  console.error(`pipeline: expected a positive item count, got ${process.argv[2]}`);
  process.exit(2);
}
const stages = ['fetch', 'parse', 'transform', 'publish'];
const total = stages.length * items;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Run as a resumable task, a restart hands back the last checkpoint: `STAGES_DONE:CHECKSUM`.
const [resumedStages, resumedChecksum] = (process.env.SLUICE_CHECKPOINT ?? '0:0').split(':').map(Number);
let done = resumedStages * items;
let checksum = resumedChecksum;
if (resumedStages > 0) console.log(`resumed after stage ${resumedStages}/4`);
for (const [s, stage] of stages.entries()) {
  if (s < resumedStages) continue;
  for (let i = 0; i < items; i++) {
    checksum = (checksum * 31 + i * (s + 1)) % 1_000_003;
    done++;
    if (i % Math.max(1, Math.floor(items / 20)) === 0 || i === items - 1) {
      console.log(`::progress ${done}/${total} stage ${s + 1}/4 ${stage}: ${i + 1}/${items}`);
      await sleep(stepMs);
    }
  }
  console.log(`${stage}: ${items} items`);
  console.log(`::checkpoint ${s + 1}:${checksum}`);
}
console.log(`pipeline finished: ${items} items through ${stages.length} stages, checksum ${checksum}`);
