/**
 * `sluice chat TARGET... --model M [--prompt TEXT]`: one question to a model that
 * may call the tools of every TARGET (MCP servers, any transport), with the
 * answer streamed to stdout and, on stderr, a bar per running tool (plain
 * lines when stderr is no terminal). The prompt is `--prompt`, else stdin. Anthropic's API: `ANTHROPIC_API_KEY`, and
 * `ANTHROPIC_BASE_URL` for a proxy (the SDK reads both).
 *
 * Exit 0 when the model finished; 1 when the model or a connection failed;
 * 2 for bad usage (no key, no prompt); 130 on Ctrl-C, which cancels the
 * model stream and every running tool.
 *
 * @module
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import { runAgent } from '../agent/runAgent.js';
import type { SluiceClient } from '../client/connect.js';
import { CliError } from './cliError.js';
import { connectOrFail } from './connectTarget.js';

export interface ChatOptions {
  readonly model?: string;
  readonly prompt?: string;
  readonly system?: string;
  readonly maxTurns?: string;
}

export async function chatCommand(targets: string[], options: ChatOptions): Promise<void> {
  if (options.model === undefined) throw new CliError('--model is required (e.g. --model claude-sonnet-4-5)', 2);
  if (process.env.ANTHROPIC_API_KEY === undefined) throw new CliError('ANTHROPIC_API_KEY is not set', 2);
  const prompt = options.prompt ?? (await readStdin());
  if (prompt.trim() === '') throw new CliError('no prompt: give it with --prompt or on stdin', 2);
  const maxTurns = options.maxTurns === undefined ? undefined : Number(options.maxTurns);
  if (maxTurns !== undefined && (!Number.isInteger(maxTurns) || maxTurns < 1)) throw new CliError(`--max-turns must be a whole number >= 1; got ${options.maxTurns}`, 2);

  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const { anthropicProvider } = await import('../agent/anthropic.js');
  const clients: SluiceClient[] = [];
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onInterrupt);
  const bars = toolView();
  try {
    for (const target of targets) clients.push(await connectOrFail(target, undefined, (line) => process.stderr.write(`sluice: ${line}\n`)));
    const run = runAgent({
      provider: anthropicProvider(new Anthropic()),
      targets: clients,
      model: options.model,
      prompt,
      signal: controller.signal,
      ...(options.system !== undefined && { system: options.system }),
      ...(maxTurns !== undefined && { maxTurns }),
    });
    for await (const event of run) {
      if (event.type === 'text') {
        bars.settle();
        process.stdout.write(event.text);
      }
      else if (event.type === 'tool_start') bars.start(event.id, event.tool);
      else if (event.type === 'tool_progress') bars.progress(event.id, event.progress, event.total, event.message);
      else if (event.type === 'tool_result') bars.end(event.id, event.result.isError === true);
      else if (event.type === 'done') process.stdout.write('\n');
    }
  } finally {
    bars.stop();
    process.off('SIGINT', onInterrupt);
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
  }
}

/** A bar per running tool on a terminal (stderr, beside the answer on stdout); a line per event elsewhere. */
function toolView(stream: NodeJS.WriteStream = process.stderr) {
  const names = new Map<string, string>();
  if (stream.isTTY !== true) {
    const line = (id: string, text: string) => stream.write(`tool ${names.get(id)}: ${text}\n`);
    return {
      start: (id: string, tool: string) => (names.set(id, tool), line(id, 'started')),
      progress: (id: string, done: number, total?: number, message?: string) => line(id, `${total === undefined ? done : `${done}/${total}`}${message === undefined ? '' : ` ${message}`}`),
      end: (id: string, failed: boolean) => line(id, failed ? 'failed' : 'done'),
      settle: () => {},
      stop: () => {},
    };
  }
  const newMulti = () => new MultiBar({ stream, format: '{tool} {bar} {value}/{total} {message}', hideCursor: true, clearOnComplete: false });
  let multi = newMulti();
  const bars = new Map<string, SingleBar>();
  return {
    start: (id: string, tool: string) => void bars.set(id, multi.create(0, 0, { tool, message: '' })),
    /** The model writes again: the round's bars stay as they ended, on lines of their own, and the text goes below. */
    settle: () => {
      if (bars.size === 0) return;
      multi.stop();
      stream.write('\n');
      bars.clear();
      multi = newMulti();
    },
    progress: (id: string, done: number, total?: number, message?: string) => {
      const bar = bars.get(id);
      if (total !== undefined) bar?.setTotal(total);
      bar?.update(done, { message: message ?? '' });
    },
    end: (id: string, failed: boolean) => bars.get(id)?.update({ message: failed ? 'failed' : 'done' }),
    stop: () => multi.stop(),
  };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) return '';
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}
