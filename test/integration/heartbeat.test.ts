// Long silent calls stay alive for clients that reset their timeout only on
// progress (Claude Code does; keepalive comments do not count). Guards
// against: a script that prints nothing for longer than the client's timeout
// being abandoned although it is still working.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { startConfig, tempDir, v2Client } from '../helpers/servers.js';

const tmp = tempDir();
let server: RunningHttpServer & { sluice: SluiceServer };
before(async () => {
  server = await startConfig(
    `progress: { heartbeat: 200ms }
tools:
  - name: silent
    description: works for 1.5 s without a word
    command: node
    args: ["-e", "setTimeout(() => console.log('done'), 1500)"]
  - name: silent_no_beat
    description: the same, heartbeat off
    command: node
    args: ["-e", "setTimeout(() => console.log('done'), 1500)"]
    progress: { heartbeat: 0 }
`,
    tmp.dir,
  );
});
after(async () => {
  await server.close();
  tmp.remove();
});

for (const era of ['legacy', 'modern'] as const) {
  test(`${era}: a stock client with a 700 ms timeout reset by progress gets the result of a 1.5 s silent call`, async () => {
    const client = await v2Client(server.url, era);
    try {
      const messages: string[] = [];
      const values: number[] = [];
      const result = await client.callTool(
        { name: 'silent', arguments: {} },
        { timeout: 700, resetTimeoutOnProgress: true, onprogress: (p) => (values.push(p.progress), messages.push(p.message ?? '')) },
      );
      assert.equal((result.content[0] as { text: string }).text, 'done');
      assert.ok(values.length >= 3, `heartbeats arrived (${values.length})`);
      assert.ok(values.every((v, i) => i === 0 || v > values[i - 1]!), 'each value above the one before');
      assert.match(messages[0]!, /^still running after/);
      await assert.rejects(
        client.callTool({ name: 'silent_no_beat', arguments: {} }, { timeout: 700, resetTimeoutOnProgress: true, onprogress: () => {} }),
        /timed out/i,
        'without heartbeats the same client gives up',
      );
    } finally {
      await client.close();
    }
  });
}
