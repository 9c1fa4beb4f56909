#!/usr/bin/env node
/**
 * `sluice`: serve a YAML file of scripts and folders as an MCP server, or call
 * and read from any MCP server.
 *
 * @module
 */
import { Command, Option } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT } from '../defaults.js';
import { exposeGc } from './runtime.js';

// Each command loads what it needs when it runs: `sluice --help` loads none of it, `sluice call`
// no server code, `sluice serve` no client code. The commands that stream resources expose `gc`
// for their pacers (a new V8 context: 6 ms that the other commands do not pay).
const serveCommand = async (...args: Parameters<typeof import('./serveCommand.js').serveCommand>) => {
  exposeGc();
  return (await import('./serveCommand.js')).serveCommand(...args);
};
const callCommand = async (...args: Parameters<typeof import('./callCommand.js').callCommand>) => (await import('./callCommand.js')).callCommand(...args);
const readCommand = async (...args: Parameters<typeof import('./readCommand.js').readCommand>) => {
  exposeGc();
  return (await import('./readCommand.js')).readCommand(...args);
};
const topCommand = async (...args: Parameters<typeof import('./topCommand.js').topCommand>) => (await import('./topCommand.js')).topCommand(...args);
const chatCommand = async (...args: Parameters<typeof import('./chatCommand.js').chatCommand>) => (await import('./chatCommand.js')).chatCommand(...args);
const taskCommand = async (...args: Parameters<typeof import('./taskCommands.js').taskCommand>) => (await import('./taskCommands.js')).taskCommand(...args);

const program = new Command()
  .name('sluice')
  .description('Flow-controlled streaming for the Model Context Protocol')
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

const era = new Option('--era <era>', 'protocol era to speak').choices(['auto', 'legacy', 'modern']).default('auto');

program
  .command('serve')
  .description('serve the tools and resources of a sluice.yaml')
  .argument('[config]', 'config file (default: ./sluice.yaml)')
  .option('--port <n>', `TCP port, 0 picks a free one (default: ${DEFAULT_PORT})`)
  .option('--host <host>', `address to bind (default: ${DEFAULT_HOST})`)
  .option('--stdio', 'serve over stdin/stdout instead of HTTP')
  .option('--store <url>', 'where sessions, stream logs and call ownership live: memory (default), or redis://HOST:PORT[/DB] shared by every node of the service')
  .option('--ws', 'also take MCP over WebSocket on the same path (ws://HOST:PORT/mcp)')
  .option('--dashboard', 'serve /dashboard even when not bound to loopback (it is on by default on loopback binds)')
  .option('--no-dashboard', 'do not serve /dashboard')
  .option('--log-level <level>', 'fatal, error, warn, info (default), debug, trace or silent: JSON lines on stderr, one per tool call; readable on a terminal')
  .action(run(serveCommand));

program
  .command('call')
  .description('call a tool: sluice call TARGET TOOL key=value ...')
  .argument('<target>', 'http(s)://HOST/mcp, ws(s)://HOST/mcp or stdio:COMMAND ARGS')
  .argument('<tool>', 'tool name')
  .argument('[args...]', 'arguments as key=value, typed by the tool schema')
  .option('--json <object>', 'arguments as one JSON object')
  .option('--timeout <seconds>', 'fail after this long without any message (progress resets it)')
  .option('--task', 'ask for a task: print its id, wait for it; Ctrl-C stops waiting and leaves it running')
  .option('--ttl <seconds>', 'with --task: how long the server keeps the task and its result (2025-11-25 servers)')
  .addOption(era)
  .action(run(callCommand));

program
  .command('task')
  .description('a task by its id: sluice task get|wait|cancel|list TARGET [ID]')
  .argument('<action>', 'get (its state as JSON), wait (for its result, with progress), cancel, or list (2025-11-25 servers)')
  .argument('<target>', 'http(s)://HOST/mcp or stdio:COMMAND ARGS')
  .argument('[id]', 'task id (not for list)')
  .addOption(era)
  .action(run(taskCommand));

program
  .command('read')
  .description('stream a resource of any size: sluice read TARGET URI [-o FILE] [--chunk-size BYTES]')
  .argument('<target>', 'http(s)://HOST/mcp or stdio:COMMAND ARGS')
  .argument('<uri>', 'resource URI')
  .option('-o, --output <file>', 'write the bytes to FILE instead of stdout')
  .option('--chunk-size <bytes>', 'bytes per window (default: SLUICE_CHUNK_SIZE, else 65536)')
  .addOption(era)
  .action(run(readCommand));

program
  .command('chat')
  .description('ask a model that may call the tools of MCP servers, answer streamed: sluice chat TARGET... --model M --prompt TEXT')
  .argument('<targets...>', 'MCP servers: http(s)://, ws(s):// or stdio:COMMAND ARGS (quote each)')
  .option('--model <model>', 'the Anthropic model (ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL for a proxy)')
  .option('--prompt <text>', 'the question (default: stdin)')
  .option('--system <text>', 'a system prompt')
  .option('--max-turns <n>', 'model turns at most, each tool round one (default: 10)')
  .action(run(chatCommand));

program
  .command('top')
  .description("a server's live numbers in the terminal, from its /metrics: sluice top http://HOST:PORT/mcp")
  .argument('<target>', 'the server\'s http(s) URL (its /mcp endpoint, its origin, or its /metrics)')
  .option('--interval <seconds>', 'time between scrapes (default: 1)')
  .option('-n, --iterations <n>', 'stop after this many frames')
  .option('--once', 'print one frame and exit (two scrapes an interval apart, for the rates)')
  .action(run(topCommand));

function run<A extends unknown[]>(command: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await command(...args);
    } catch (error) {
      const { message, exitCode } = (await import('./cliError.js')).describeFailure(error);
      process.stderr.write(`sluice: ${message}\n`);
      process.exit(exitCode);
    }
  };
}

await program.parseAsync(process.argv);
