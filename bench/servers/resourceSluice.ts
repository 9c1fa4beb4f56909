/**
 * The same folder served by sluice: a `directory:` resource from the config
 * format, i.e. a streamed resource read in windows or as a raw stream.
 * Usage: resourceSluice.ts DIR [--stdio]; over HTTP it prints its URL.
 */
import { join } from 'node:path';
import { buildServer, parseConfig, serveHttp, serveStdio } from '../../src/index.js';

const dir = process.argv[2]!;
const sluice = buildServer(parseConfig(`resources:\n  - uri: "file:///{+name}"\n    name: files\n    directory: ${JSON.stringify(dir)}\n`, join(dir, 'sluice.yaml')));

if (process.argv.includes('--stdio')) {
  serveStdio(sluice);
} else {
  const running = await serveHttp(sluice, { port: 0 });
  process.stdout.write(`${running.url}\n`);
}
