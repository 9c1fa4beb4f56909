/**
 * Script tools: a config entry turned into a {@link ToolDefinition} that runs
 * a child process.
 *
 * Safety: the command is spawned directly (never through a shell), and each
 * argument element gets its placeholders replaced in place, so an argument
 * value can never become a second argv element or a shell construct.
 *
 * Nothing a script starts outlives it: the child leads its own process group
 * and carries an environment marker its descendants inherit
 * (`processTree.ts`); stopping it (cancellation, timeout, shutdown) signals
 * the group and every marked process, SIGTERM then SIGKILL after the grace
 * period, and the orphan watchdog does the same if this process dies first.
 *
 * How many scripts run at once is bounded (`limits`); calls beyond it wait
 * in a bounded queue, and past that get a "busy" error result.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ContentBlock } from '@modelcontextprotocol/server';
import { DEFAULT_INLINE_RESULT_MAX_BYTES, DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_LINE_BYTES, DEFAULT_STDERR_TAIL_BYTES } from '../defaults.js';
import { type ConcurrencyLimit, ConcurrencyLimitFullError } from '../flow/concurrencyLimit.js';
import { HeadTailBuffer } from '../flow/headTailBuffer.js';
import type { JsonSchemaObject } from '../server/jsonSchema.js';
import { CHECKPOINT_ENV } from '../protocol/wire.js';
import type { Activity } from '../server/activity.js';
import type { ToolContext, ToolDefinition, ToolResult } from '../server/types.js';
import type { ScriptToolConfig } from './config.js';
import { ensureOrphanWatchdog, OWNER_MARKER } from './orphanWatchdog.js';
import { runMarker, signalMarked } from './processTree.js';
import { fitResultText, ScriptOutput } from './scriptOutput.js';
import type { RunSpool } from './spool.js';
import { StderrLog } from './stderrLog.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * Builds argv from the configured elements. An element whose placeholders
 * name an argument the caller did not pass is left out entirely (so
 * `--limit={{limit}}` disappears when `limit` is optional and absent).
 */
export function buildArgv(template: readonly string[], args: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const element of template) {
    let missing = false;
    const value = element.replace(PLACEHOLDER, (_m, name: string) => {
      // Own properties only: `{{constructor}}` must never find Object.prototype.constructor.
      const arg = Object.hasOwn(args, name) ? args[name] : undefined;
      if (arg === undefined || arg === null) {
        missing = true;
        return '';
      }
      return typeof arg === 'string' ? arg : typeof arg === 'object' ? JSON.stringify(arg) : String(arg);
    });
    if (!missing) argv.push(value);
  }
  return argv;
}

export interface ScriptToolOptions {
  /** @defaultValue {@link DEFAULT_KILL_GRACE_MS} */
  readonly killGraceMs?: number;
  /** Output bytes kept inline; beyond it, a head/tail excerpt (and the spool). @defaultValue {@link DEFAULT_INLINE_RESULT_MAX_BYTES} */
  readonly inlineMaxBytes?: number;
  /** Where output beyond the inline limit goes (`runs://ID/stdout`); without one it is only excerpted. */
  readonly spool?: RunSpool;
  /** Limits every run of this tool waits on, in order (e.g. the tool's own, then the server's). */
  readonly limits?: readonly ConcurrencyLimit[];
  /** Where running script processes are shown (`sluice.activity`). */
  readonly activity?: Activity;
}

export function scriptTool(config: ScriptToolConfig, options: ScriptToolOptions = {}): ToolDefinition {
  const inputSchema: JsonSchemaObject = {
    type: 'object',
    properties: config.parameters,
    ...(config.required.length > 0 && { required: config.required }),
  };
  return {
    name: config.name,
    description: config.description,
    inputSchema,
    ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
    ...(config.progressPerSecond !== undefined && { progressPerSecond: config.progressPerSecond }),
    ...(config.heartbeatMs !== undefined && { heartbeatMs: config.heartbeatMs }),
    ...(config.backpressure !== undefined && { slowConsumer: config.backpressure }),
    ...(config.closeStreamAfterMs !== undefined && { closeStreamAfterMs: config.closeStreamAfterMs }),
    ...(config.task !== undefined && { task: config.task }),
    ...(config.resumable !== undefined && { resumable: config.resumable }),
    ...(config.polling === true && { polling: true }),
    handler: (args, ctx) => runLimited(config, buildArgv(config.args, args), ctx, options),
  };
}

/** Runs the script once every limit gave it a slot; "busy" when a queue is full. */
async function runLimited(config: ScriptToolConfig, argv: string[], ctx: ToolContext, options: ScriptToolOptions): Promise<ToolResult> {
  const releases: Array<() => void> = [];
  try {
    for (const limit of options.limits ?? []) releases.push(await limit.acquire(ctx.signal));
  } catch (error) {
    for (const release of releases) release();
    if (!(error instanceof ConcurrencyLimitFullError)) throw error; // cancelled while waiting
    return {
      content: [{ type: 'text', text: `Tool "${config.name}" is busy: ${error.message} (script processes). Try again later.` }],
      isError: true,
    };
  }
  try {
    return await runScript(config, argv, ctx, options);
  } finally {
    for (const release of releases.reverse()) release();
  }
}

function runScript(config: ScriptToolConfig, argv: string[], ctx: ToolContext, options: ScriptToolOptions): Promise<ToolResult> {
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  ensureOrphanWatchdog();
  const marker = runMarker(randomUUID());
  return new Promise<ToolResult>((resolve) => {
    const child = spawn(config.command, argv, {
      cwd: config.cwd,
      env: { ...process.env, ...config.env, ...(ctx.resumeFrom !== undefined && { [CHECKPOINT_ENV]: ctx.resumeFrom }), [marker]: '1', [OWNER_MARKER]: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: one signal reaches every descendant that stays in it
      shell: false,
    });
    const exited = child.pid === undefined ? undefined : options.activity?.scriptStarted(child.pid, config.name);
    const output = new ScriptOutput({
      inlineMaxBytes: options.inlineMaxBytes ?? DEFAULT_INLINE_RESULT_MAX_BYTES,
      maxLineBytes: DEFAULT_MAX_LINE_BYTES,
      spool: options.spool,
      onProgress: (update) => ctx.progress(update.progress, update.total, update.message),
      onCheckpoint: (token) => ctx.checkpoint(token),
    });
    const stderr = new HeadTailBuffer(0, DEFAULT_STDERR_TAIL_BYTES);
    const errDecoder = new TextDecoder();

    // stdout pauses until the client took the chunk's output (and the spool file took it): the
    // script then blocks on a full pipe instead of the server buffering.
    child.stdout.on('data', (chunk: Buffer) => {
      const pending = output.feed(chunk);
      const text = output.takeChunkText();
      if (text !== '') pending.push(ctx.partial(text));
      if (pending.length === 0) return;
      child.stdout.pause();
      void Promise.all(pending).finally(() => child.stdout.resume());
    });
    const stderrLog = new StderrLog((level, line) => ctx.log(level, line, config.name), () => performance.now());
    child.stderr.on('data', (chunk: Buffer) => {
      const text = errDecoder.decode(chunk, { stream: true });
      stderr.push(text);
      stderrLog.feed(text);
    });

    const stopper = processStopper(child.pid, marker, graceMs);
    ctx.onAbort(() => stopper.stop());

    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve({
        content: [{ type: 'text', text: `Tool "${config.name}" could not start ${config.command}: ${error.code ?? error.message}` }],
        isError: true,
      });
    });
    child.once('exit', () => {
      // The leader is gone: whatever it left running (in its group or not) goes too, so its pipes close.
      if (!ctx.signal.aborted) stopper.kill();
      // A descendant that escaped every signal may still hold stdout: do not wait for it forever.
      stopper.afterGrace(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      });
    });
    child.once('close', (code, signal) => {
      exited?.();
      void (async () => {
        stopper.done();
        const pending = output.finish();
        const text = output.takeChunkText();
        if (text !== '') pending.push(ctx.partial(text));
        await Promise.all(pending);
        const rest = errDecoder.decode();
        stderr.push(rest);
        stderrLog.feed(rest);
        stderrLog.end();
        resolve(await resultOf(config, output, stderr.text().trim(), code, signal));
      })();
    });
  });
}

/** Signals a script's process group and every process carrying its marker; idempotent per signal. */
function processStopper(pid: number | undefined, marker: string, graceMs: number) {
  const timers: NodeJS.Timeout[] = [];
  const signal = (name: NodeJS.Signals) => {
    if (pid !== undefined) {
      try {
        process.kill(-pid, name);
      } catch {
        // ESRCH: the group is already gone.
      }
    }
    void signalMarked(marker, name);
  };
  const later = (fn: () => void) => {
    const timer = setTimeout(fn, graceMs);
    timer.unref();
    timers.push(timer);
  };
  let stopping = false;
  return {
    /** SIGTERM now, SIGKILL after the grace period (cancellation, timeout, shutdown). */
    stop() {
      if (stopping) return;
      stopping = true;
      signal('SIGTERM');
      later(() => signal('SIGKILL'));
    },
    /** SIGKILL now (the leader exited by itself; what it left behind goes). */
    kill() {
      signal('SIGKILL');
    },
    afterGrace: later,
    done() {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

async function resultOf(
  config: ScriptToolConfig,
  output: ScriptOutput,
  stderrTail: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): Promise<ToolResult> {
  const { text, link } = await output.result(config.name);
  const links: ContentBlock[] = link === undefined ? [] : [link];
  if (code === 0) return links.length === 0 ? text : { content: [{ type: 'text', text }, ...links] };
  const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
  const head = fitResultText(`Tool "${config.name}" ${how}.${stderrTail === '' ? '' : `\nstderr (tail):\n${stderrTail}`}`);
  return {
    content: [{ type: 'text', text: head }, ...(text === '' ? [] : [{ type: 'text' as const, text }]), ...links],
    isError: true,
  };
}
