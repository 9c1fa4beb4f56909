/**
 * A script tool that prints 1 KiB lines as fast as it can
 * (bench/fixtures/printLines.mjs), served by sluice from a config like any
 * user's. Usage: scripts.ts [--inline BYTES] (the output kept inline before
 * the excerpt and the spool; the default is sluice's); prints its URL on stdout.
 */
import { join } from 'node:path';
import { buildServer, parseConfig, serveHttp } from '../../src/index.js';

const at = process.argv.indexOf('--inline');
const inlineMaxBytes = at === -1 ? undefined : Number(process.argv[at + 1]);
const fixture = join(import.meta.dirname, '../fixtures/printLines.mjs');
const config = parseConfig(
  [
    'tools:',
    '  - name: print_lines',
    '    description: prints MIB MiB of 1 KiB lines as fast as it can',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(fixture)}, "{{mib}}"]`,
    '    parameters: { mib: { type: integer, minimum: 1 } }',
    '    required: [mib]',
    'scripts: { maxConcurrent: 16 }',
    '',
  ].join('\n'),
  join(import.meta.dirname, 'sluice.yaml'),
);
const running = await serveHttp(buildServer(config, { ...(inlineMaxBytes !== undefined && { inlineMaxBytes }) }), { port: 0 });
process.stdout.write(`${running.url}\n`);
process.on('SIGTERM', () => void running.close().then(() => process.exit(0)));
