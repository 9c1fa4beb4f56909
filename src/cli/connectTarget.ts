/**
 * The connection of a client command (`call`, `read`, `task`): a target
 * that cannot be parsed is bad usage (exit 2), a dropped stream is told on
 * stderr as it resumes.
 *
 * @module
 */
import { connect, type Era } from '../client/connect.js';
import { SluiceError } from '../errors.js';
import { CliError } from './cliError.js';

/** Connects; `notice` gets one line per attempt to resume a dropped stream. */
export async function connectOrFail(target: string, era: Era | undefined, notice: (line: string) => void) {
  try {
    return await connect(target, {
      ...(era !== undefined && { era }),
      onReconnect: ({ attempt, maxAttempts, delayMs }) =>
        notice(`the stream dropped; resuming in ${delayMs} ms (attempt ${attempt} of ${maxAttempts})`),
    });
  } catch (error) {
    if (error instanceof SluiceError && error.code === 'SLUICE_TARGET') throw new CliError(error.message, 2);
    throw error;
  }
}

