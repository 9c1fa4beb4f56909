/**
 * The sluice server for the unread-streams measurement: the config given as
 * argv[2], served on a free port (prints its URL on stderr like `sluice
 * serve`). `GET /retained` is not served: on SIGUSR2 it collects garbage and
 * prints the bytes it still holds (V8 heap in use plus external memory) on
 * stdout, the figure RSS hides behind a heap V8 keeps.
 */
import { buildServer, loadConfig, httpOptionsOf, serveHttp } from '../../src/index.js';

const config = await loadConfig(process.argv[2]!);
const running = await serveHttp(buildServer(config), { ...httpOptionsOf(config), port: 0 });
process.stderr.write(`serving at ${running.url}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  gc?.();
  gc?.();
  const { heapUsed, external } = process.memoryUsage();
  process.stdout.write(`${heapUsed + external}\n`);
});
process.on('SIGTERM', () => void running.close().then(() => process.exit(0)));
