// One read of the machine's ceilings, in its own process like every client of
// the bench. Usage: readPlain.mjs http-get|fetch URL | pipe FILE | script FILE.mjs ARG.
// http-get / fetch: GET URL and count the body; pipe: a child `cat FILE`
// whose stdout this process reads (the plain pipe a stdio server writes to);
// script: the same with a child `node FILE.mjs ARG` (a script tool's output).
// Prints one JSON line: { ms, bytes }.
import { spawn } from 'node:child_process';
import { get } from 'node:http';

const [how, where, arg] = process.argv.slice(2);
const started = performance.now();
let bytes = 0;
if (how === 'http-get') {
  await new Promise((resolve, reject) => {
    get(where, (response) => {
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', resolve);
      response.on('error', reject);
    }).on('error', reject);
  });
} else if (how === 'fetch') {
  const response = await fetch(where);
  for await (const chunk of response.body) bytes += chunk.length;
} else if (how === 'pipe') {
  const child = spawn('cat', [where], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const chunk of child.stdout) bytes += chunk.length;
} else if (how === 'script') {
  const child = spawn(process.execPath, [where, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const chunk of child.stdout) bytes += chunk.length;
} else {
  throw new Error(`unknown ceiling ${how}`);
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, bytes })}\n`);
