import { RawClient } from './lib/rawClient.js';
const url = process.argv[2]!;
const c = await RawClient.connect(url, '2025-11-25');
const end = performance.now() + 6000; let n = 0;
while (performance.now() < end) { await c.callTool('echo', { text: 'hello' }); n++; }
console.log('rps', n / 6);
