// An agent UI's core in a few lines (mcp-sluice/agent): the model's answer streamed, and every
// tool it calls shown as it runs (progress, partial output), from MCP servers on any transport.
// Run: ANTHROPIC_API_KEY=… node --import tsx examples/agent.ts http://127.0.0.1:3001/mcp
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider, runAgent } from 'mcp-sluice/agent';
import { connect } from 'mcp-sluice/client';

const targets = await Promise.all(process.argv.slice(2).map((target) => connect(target)));
const controller = new AbortController();
process.once('SIGINT', () => controller.abort()); // stops the model stream and every running tool

for await (const event of runAgent({
  provider: anthropicProvider(new Anthropic()),
  targets,
  model: 'claude-sonnet-4-5',
  prompt: 'Count to 5 with the count tool, then tell me what it printed.',
  signal: controller.signal,
})) {
  switch (event.type) {
    case 'text':
      process.stdout.write(event.text);
      break;
    case 'tool_start':
      process.stderr.write(`\n[${event.tool} ${JSON.stringify(event.input)}]\n`);
      break;
    case 'tool_progress':
      process.stderr.write(`  ${event.progress}${event.total === undefined ? '' : `/${event.total}`} ${event.message ?? ''}\n`);
      break;
    case 'tool_result':
      process.stderr.write(`  ${event.result.isError === true ? 'failed' : 'done'}\n`);
      break;
    case 'done':
      process.stdout.write(`\n(${event.turns} turns, ${event.usage.outputTokens} tokens out)\n`);
      break;
  }
}
await Promise.all(targets.map((target) => target.close()));
