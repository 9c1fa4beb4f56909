// The machine's own HTTP ceiling: a plain node:http server that pipes a file
// from a folder to each GET of /files/NAME (no MCP, no framing). Usage: fileServer.mjs DIR;
// prints its URL. Plain JavaScript: no loader between it and Node.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dir = process.argv[2];
const server = createServer((request, response) => {
  const path = join(dir, decodeURIComponent(new URL(request.url, 'http://x').pathname).replace(/^\/files\//, ''));
  if (!path.startsWith(dir)) return void response.writeHead(403).end();
  response.writeHead(200, { 'content-length': statSync(path).size, 'content-type': 'application/octet-stream' });
  createReadStream(path).pipe(response);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}/files/\n`));
