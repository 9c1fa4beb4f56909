// Ad-hoc: one scenario, several rounds, to see variance. Not part of npm run bench.
import { pinLoadGenerator, startServer, stopServer } from './lib/processes.js';
console.log(pinLoadGenerator());
import { smallCalls } from './scenarios/smallCalls.js';
const era = (process.argv[2] ?? '2025-11-25') as '2025-11-25' | '2026-07-28';
const conc = Number(process.argv[3] ?? 1);
const servers = [await startServer('sdk', 'bench/servers/plainSdk.ts'), await startServer('sluice', 'bench/servers/sluice.ts')];
for (let round = 0; round < 3; round++) {
  for (const s of round % 2 ? [...servers].reverse() : servers) {
    const r = await smallCalls(s, era, conc, 1000, 3000);
    console.log(round, s.name, Math.round(r.perSecond), r.p50Ms.toFixed(2));
  }
}
await Promise.all(servers.map(stopServer));
