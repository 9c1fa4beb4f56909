/**
 * What every `sluice` command shares: the failure that carries its exit code,
 * the one-line log on stderr, and the mapping of any failure to both.
 *
 * Exit codes: 0 success; 1 the server or the tool failed; 2 bad usage or
 * config; 130 interrupted.
 *
 * @module
 */
import { CancelledError, ConfigError, SluiceError } from '../errors.js';

/** A failure with its exit code; the message is printed as one line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const log = (line: string) => process.stderr.write(`sluice: ${line}\n`);

/** A positive number of seconds from an option, or exit 2 naming it. */
export function secondsOption(name: string, text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`${name} must be a positive number of seconds; got ${text}`, 2);
  return seconds;
}

/** Maps any failure to its one-line message and exit code. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof CancelledError) return { message: error.message, exitCode: 130 };
  if (error instanceof ConfigError) return { message: error.message, exitCode: 2 };
  if (error instanceof SluiceError && error.code === 'SLUICE_TARGET') return { message: error.message, exitCode: 2 };
  const message = error instanceof Error ? error.message : String(error);
  return { message: message.split('\n')[0] ?? message, exitCode: 1 };
}
