/**
 * Script tools: a config entry turned into a {@link ToolDefinition} that runs
 * a child process.
 *
 * Safety: the command is spawned directly (never through a shell), and each
 * argument element gets its placeholders replaced in place, so an argument
 * value can never become a second argv element or a shell construct.
 *
 * The child leads its own process group; stopping it (cancellation, timeout,
 * shutdown) sends SIGTERM to the whole group, then SIGKILL after the grace
 * period, so grandchildren do not outlive it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { ContentBlock } from '@modelcontextprotocol/server';
import { DEFAULT_INLINE_RESULT_MAX_BYTES, DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_LINE_BYTES, DEFAULT_STDERR_TAIL_BYTES } from '../defaults.js';
import { HeadTailBuffer } from '../flow/headTailBuffer.js';
import { LineSplitter } from '../flow/lineSplitter.js';
import type { JsonSchemaObject } from '../server/jsonSchema.js';
import type { ToolContext, ToolDefinition, ToolResult } from '../server/types.js';
import type { ScriptToolConfig } from './config.js';
import { parseProgressLine } from './progressLine.js';
import type { RunSpool, SpoolFile } from './spool.js';

async function resourceLink(tool: string, spool: SpoolFile, runs: RunSpool): Promise<ContentBlock> {
  const size = (await stat(runs.pathOf(spool.id)).catch(() => undefined))?.size;
  return {
    type: 'resource_link',
    uri: spool.uri,
    name: `${tool} output`,
    description: 'The full output of this run',
    mimeType: 'text/plain',
    ...(size !== undefined && { size }),
  };
}

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
  /** @defaultValue {@link DEFAULT_INLINE_RESULT_MAX_BYTES} */
  readonly inlineMaxChars?: number;
  /** Where output beyond the inline limit goes (`runs://ID/stdout`); without one it is only excerpted. */
  readonly spool?: RunSpool;
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
    ...(config.backpressure !== undefined && { slowConsumer: config.backpressure }),
    ...(config.closeStreamAfterMs !== undefined && { closeStreamAfterMs: config.closeStreamAfterMs }),
    handler: (args, ctx) => runScript(config, buildArgv(config.args, args), ctx, options),
  };
}

function runScript(config: ScriptToolConfig, argv: string[], ctx: ToolContext, options: ScriptToolOptions): Promise<ToolResult> {
  const inlineMax = options.inlineMaxChars ?? DEFAULT_INLINE_RESULT_MAX_BYTES;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  return new Promise<ToolResult>((resolve) => {
    const child = spawn(config.command, argv, {
      cwd: config.cwd,
      env: { ...process.env, ...config.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: one signal reaches every descendant
      shell: false,
    });
    const output = new HeadTailBuffer(Math.floor(inlineMax / 2), Math.floor(inlineMax / 2));
    const stderr = new HeadTailBuffer(0, DEFAULT_STDERR_TAIL_BYTES);
    let outputLines = 0;
    let outputChars = 0;
    let chunkLines: string[] = [];
    let spooled: SpoolFile | undefined;
    let spoolWrites: Array<Promise<void>> = [];
    const lines = new LineSplitter((line) => {
      const progress = parseProgressLine(line);
      if (progress !== undefined) {
        ctx.progress(progress.progress, progress.total, progress.message);
        return;
      }
      const text = outputLines++ === 0 ? line : `\n${line}`;
      outputChars += text.length;
      if (spooled === undefined && options.spool !== undefined && outputChars > inlineMax) {
        // Outgrowing the inline limit: nothing has been dropped yet, so the buffer still holds all of it.
        spooled = options.spool.open();
        spoolWrites.push(spooled.write(output.text()));
      }
      output.push(text);
      if (spooled !== undefined) spoolWrites.push(spooled.write(text));
      chunkLines.push(line);
    }, DEFAULT_MAX_LINE_BYTES);
    /**
     * Streams the output lines of one stdout chunk as one partial result. stdout
     * pauses until the client took it and the spool file took it too: the
     * script then blocks on a full pipe instead of the server buffering.
     */
    const streamLines = () => {
      const pending = spoolWrites;
      spoolWrites = [];
      if (chunkLines.length > 0) {
        pending.push(ctx.partial(`${chunkLines.join('\n')}\n`));
        chunkLines = [];
      }
      if (pending.length === 0) return;
      child.stdout.pause();
      void Promise.all(pending).finally(() => child.stdout.resume());
    };
    const decoder = new TextDecoder();
    const errDecoder = new TextDecoder();
    child.stdout.on('data', (chunk: Buffer) => {
      lines.feed(decoder.decode(chunk, { stream: true }));
      streamLines();
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(errDecoder.decode(chunk, { stream: true })));

    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = () => {
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      killTimer.unref();
    };
    ctx.onAbort(stop);

    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve({
        content: [{ type: 'text', text: `Tool "${config.name}" could not start ${config.command}: ${error.code ?? error.message}` }],
        isError: true,
      });
    });
    child.once('exit', () => {
      // The leader is gone; whatever it left running in its group is an orphan-to-be.
      if (!ctx.signal.aborted) signalGroup('SIGKILL');
    });
    child.once('close', (code, signal) => {
      void (async () => {
        if (killTimer !== undefined) clearTimeout(killTimer);
        lines.feed(decoder.decode());
        lines.flush();
        streamLines();
        stderr.push(errDecoder.decode());
        const spool = spooled;
        if (spool !== undefined) await spool.close();
        const text = spool === undefined ? output.text() : output.text((n) => `\n… ${n} characters omitted; the full output is at ${spool.uri} …\n`);
        const link = spool === undefined ? [] : [await resourceLink(config.name, spool, options.spool!)];
        if (code === 0) {
          resolve(link.length === 0 ? text : { content: [{ type: 'text', text }, ...link] });
          return;
        }
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderr.text().trim();
        resolve({
          content: [
            { type: 'text', text: `Tool "${config.name}" ${how}.${tail === '' ? '' : `\nstderr (tail):\n${tail}`}` },
            ...(text === '' ? [] : [{ type: 'text' as const, text }]),
            ...link,
          ],
          isError: true,
        });
      })();
    });
  });
}
