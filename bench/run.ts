/**
 * `npm run bench`: sluice and a plain SDK v2 server, side by side in one run
 * on this machine, each in its own process. Prints a markdown table and writes
 * it, with the date and the machine, to docs/benchmarks.md.
 *
 * Each measurement is repeated in ROUNDS rounds with the order of the servers
 * alternating, and the best round of each server is kept, so a burst of noise
 * on a shared 2-core machine does not decide a row.
 *
 * Environment: BENCH_SECONDS (measured seconds per round, default 4),
 * BENCH_ROUNDS (default 3).
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { pinLoadGenerator, startServer, stopServer, type BenchServer } from './lib/processes.js';
import type { Era } from './lib/rawClient.js';
import { mb, ms, num } from './lib/stats.js';
import { smallCalls, type SmallCallsResult } from './scenarios/smallCalls.js';

const ROOT = join(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_MS = 2000;
const pinning = pinLoadGenerator();
const ERAS: Era[] = ['2025-11-25', '2026-07-28'];
const CONCURRENCY = [1, 32];
/** sluice may be at most this much slower than the SDK on any row. */
const TOLERANCE = 0.1;

const servers: BenchServer[] = [
  await startServer('plain SDK v2', join(import.meta.dirname, 'servers/plainSdk.ts')),
  await startServer('sluice', join(import.meta.dirname, 'servers/sluice.ts')),
];

interface Row {
  readonly title: string;
  readonly sdk: SmallCallsResult;
  readonly sluice: SmallCallsResult;
}
const rows: Row[] = [];
try {
  for (const era of ERAS) {
    for (const concurrency of CONCURRENCY) {
      const best = new Map<string, SmallCallsResult>();
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const server of order) {
          const result = await smallCalls(server, era, concurrency, WARMUP_MS, SECONDS * 1000);
          const previous = best.get(server.name);
          if (previous === undefined || result.perSecond > previous.perSecond) {
            best.set(server.name, { ...result, peakRssBytes: Math.max(result.peakRssBytes, previous?.peakRssBytes ?? 0) });
          } else {
            best.set(server.name, { ...previous, peakRssBytes: Math.max(result.peakRssBytes, previous.peakRssBytes) });
          }
          process.stderr.write(`  ${era} x${concurrency} ${server.name}: ${num(result.perSecond)} req/s (round ${round + 1})\n`);
        }
      }
      rows.push({ title: `small tool calls, ${era}, ${concurrency} client${concurrency > 1 ? 's' : ''}`, sdk: best.get('plain SDK v2')!, sluice: best.get('sluice')! });
    }
  }
} finally {
  await Promise.all(servers.map(stopServer));
}

const header = '| scenario | server | req/s | p50 | p99 | errors | peak server RSS | sluice vs SDK |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |';
const lines = rows.flatMap(({ title, sdk, sluice }) => {
  const ratio = sluice.perSecond / sdk.perSecond;
  const verdict = `${(ratio * 100).toFixed(0)} % of SDK throughput${ratio < 1 - TOLERANCE ? ' (**slower than allowed**)' : ''}`;
  return [
    `| ${title} | plain SDK v2 | ${num(sdk.perSecond)} | ${ms(sdk.p50Ms)} | ${ms(sdk.p99Ms)} | ${sdk.errors} | ${mb(sdk.peakRssBytes)} | |`,
    `| | sluice | ${num(sluice.perSecond)} | ${ms(sluice.p50Ms)} | ${ms(sluice.p99Ms)} | ${sluice.errors} | ${mb(sluice.peakRssBytes)} | ${verdict} |`,
  ];
});
const table = [header, ...lines].join('\n');
const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`;
const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

process.stdout.write(`\n${table}\n\n${machine}; ${date}\n`);

writeFileSync(
  join(ROOT, 'docs/benchmarks.md'),
  `# Benchmarks

Latest output of \`npm run bench\`. Every number below was measured in that one run; nothing
here is copied from elsewhere. Re-run it on your machine to compare.

- **Date:** ${date}
- **Machine:** ${machine}
- **Settings:** ${SECONDS} s measured per round after ${WARMUP_MS / 1000} s of warm-up, ${ROUNDS} rounds with the server order alternating, best round kept per server; ${pinning}; peak RSS is the server process's VmHWM over the measured windows (both servers run under \`node --import tsx\`, which counts in their RSS alike).

## Small tool calls

Each client calls an \`echo\` tool in a loop (a fresh request each time, the answer read in full).
The **plain SDK v2** server is what a user writes today from the SDK docs: \`McpServer\` +
\`createMcpHandler\` (2026-07-28, with its default stateless 2025 fallback) + \`toNodeHandler\`,
behind the SDK's localhost Host/Origin checks. **sluice** serves the same tool from one endpoint
for both eras, with real 2025 sessions (\`Mcp-Session-Id\`, a bounded event log per session,
priming events). The load generator is one process speaking raw HTTP (bench/lib/rawClient.ts),
the same for both servers. sluice must stay within ${TOLERANCE * 100} % of the SDK's throughput on every row.

${table}
`,
);
const slower = rows.filter((r) => r.sluice.perSecond < r.sdk.perSecond * (1 - TOLERANCE));
if (slower.length > 0) {
  process.stderr.write(`sluice is more than ${TOLERANCE * 100} % slower than the SDK on: ${slower.map((r) => r.title).join('; ')}\n`);
  process.exitCode = 1;
}
