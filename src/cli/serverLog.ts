/**
 * The logs of `sluice serve`: structured JSON lines on stderr (pino), one
 * line per tool call besides the server's own messages, or the same lines
 * made readable (pino-pretty) when stderr is a terminal.
 *
 * Why pino: it writes JSON lines with a fixed shape (`level`, `time`, `msg`
 * and fields) at a cost measured in microseconds, has the levels operators
 * expect, and its pretty printer is kept by the same people. The destination
 * is synchronous: lines are in order with anything else on stderr, and none
 * is lost when the process exits right after a shutdown.
 *
 * A call's line: `requestId`, `session` (2025), `task`, `tool`, `durationMs`,
 * `outcome` (`ok`, `error`, `cancelled`), `cause` (why a cancelled call was),
 * `bytes` (the output it streamed), `dropped` (partial results its policy
 * dropped). `info`, or `warn` for an error.
 *
 * @module
 */
import pino, { type Logger } from 'pino';
import type { Activity } from '../server/activity.js';
import { CliError } from './cliError.js';

/** Values of `--log-level`, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level of `--log-level`, or exit 2 naming the choices. */
export function logLevelOption(text: string | undefined): LogLevel {
  if (text === undefined) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(text)) return text as LogLevel;
  throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got ${text}`, 2);
}

/** A logger on stderr: pretty when stderr is a terminal, JSON lines otherwise. */
export async function serverLogger(level: LogLevel, pretty = process.stderr.isTTY === true): Promise<Logger> {
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!pretty) return pino(options, pino.destination({ fd: 2, sync: true }));
  const { default: prettyStream } = await import('pino-pretty');
  return pino(options, prettyStream({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' }));
}

/** One line per tool call that ends; returns the function that stops it. */
export function logCalls(activity: Activity, logger: Logger): () => void {
  return activity.onCallEnd((call) => {
    const fields = {
      requestId: call.requestId,
      ...(call.session !== undefined && { session: call.session }),
      ...(call.task !== undefined && { task: call.task }),
      tool: call.tool,
      durationMs: Math.round(call.durationMs),
      outcome: call.outcome,
      ...(call.cause !== undefined && { cause: call.cause }),
      bytes: call.outputBytes,
      ...(call.dropped > 0 && { dropped: call.dropped }),
    };
    if (call.outcome === 'error') logger.warn(fields, `call ${call.tool}: ${call.outcome}`);
    else logger.info(fields, `call ${call.tool}: ${call.outcome}${call.cause !== undefined ? ` (${call.cause})` : ''}`);
  });
}
