/** The same echo tool served by sluice (both eras on one endpoint, 2025 with sessions). */
import { serveHttp, SluiceServer } from '../../src/index.js';
import { ECHO_DESCRIPTION, echo } from './echoTool.js';

const sluice = new SluiceServer({ name: 'sluice', version: '1.0.0' }).tool<{ text: string }>({
  name: 'echo',
  description: ECHO_DESCRIPTION,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  handler: ({ text }) => echo(text),
});
const running = await serveHttp(sluice, { port: 0 });
process.stdout.write(`${running.url}\n`);
