/**
 * Local errors: what sluice throws in-process. They carry a stable string
 * `code` for programs and a `cause` for people. JSON-RPC errors that travel on
 * the wire are the SDK's `ProtocolError`, built with codes from
 * `protocol/wire.ts`; the two are kept apart on purpose.
 *
 * | code | class | when |
 * | --- | --- | --- |
 * | `SLUICE_CONFIG` | {@link ConfigError} | the YAML config or an option is invalid |
 * | `SLUICE_INVALID_OPTION` | {@link InvalidOptionError} | an option fails its rule |
 * | `SLUICE_BUFFER_FULL` | {@link BufferFullError} | a bounded buffer refused an item |
 * | `SLUICE_TARGET` | {@link TargetError} | a client target string cannot be used |
 * | `SLUICE_REMOTE` | {@link RemoteError} | the remote server answered with an error |
 * | `SLUICE_CANCELLED` | {@link CancelledError} | the caller cancelled a call |
 * | `SLUICE_STREAM_LOST` | {@link StreamLostError} | a call's stream dropped with no way to resume it |
 * | `SLUICE_REPLAY_EXPIRED` | {@link ReplayExpiredError} | a dropped stream was resumed too late: the server's event log moved on |
 * | `SLUICE_TIMEOUT` | {@link TimeoutError} | a call saw no message for its timeout |
 * | `SLUICE_RESOURCE_CHANGED` | {@link ResourceChangedError} | a resource changed while it was being read |
 *
 * @module
 */

export type SluiceErrorCode =
  | 'SLUICE_CONFIG'
  | 'SLUICE_INVALID_OPTION'
  | 'SLUICE_BUFFER_FULL'
  | 'SLUICE_TARGET'
  | 'SLUICE_REMOTE'
  | 'SLUICE_CANCELLED'
  | 'SLUICE_STREAM_LOST'
  | 'SLUICE_REPLAY_EXPIRED'
  | 'SLUICE_TIMEOUT'
  | 'SLUICE_RESOURCE_CHANGED';

/** Base class of every error sluice throws itself. */
export class SluiceError extends Error {
  readonly code: SluiceErrorCode;
  constructor(code: SluiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The config file is invalid; `file` and `line` point at the culprit when known. */
export class ConfigError extends SluiceError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, where: { file?: string; line?: number } = {}, options?: { cause?: unknown }) {
    const prefix = where.file === undefined ? '' : `${where.file}${where.line === undefined ? '' : `:${where.line}`}: `;
    super('SLUICE_CONFIG', `${prefix}${message}`, options);
    this.file = where.file;
    this.line = where.line;
  }
}

/** An option failed validation; the message names the option, the rule and the value. */
export class InvalidOptionError extends SluiceError {
  constructor(option: string, rule: string, value: unknown) {
    super('SLUICE_INVALID_OPTION', `Option ${option} ${rule}; got ${JSON.stringify(value)}`);
  }
}

/** A bounded buffer was full and its policy is to refuse. */
export class BufferFullError extends SluiceError {
  constructor(what: string, capacity: number) {
    super('SLUICE_BUFFER_FULL', `${what} is full (capacity ${capacity})`);
  }
}

/** A client target (`http://…` or `stdio:…`) cannot be used. */
export class TargetError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLUICE_TARGET', message, options);
  }
}

/** The remote MCP server answered with a JSON-RPC error or an `isError` result. */
export class RemoteError extends SluiceError {
  readonly remoteCode: number | undefined;
  constructor(message: string, remoteCode?: number, options?: { cause?: unknown }) {
    super('SLUICE_REMOTE', message, options);
    this.remoteCode = remoteCode;
  }
}

/** The caller cancelled the call; the server was told (the right way for the era). */
export class CancelledError extends SluiceError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('SLUICE_CANCELLED', `cancelled: ${reason}`, options);
  }
}

/** The stream carrying a call's answer dropped and cannot be resumed: the call fails at once instead of waiting for its timeout. */
export class StreamLostError extends SluiceError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('SLUICE_STREAM_LOST', `stream lost: ${reason}`, options);
  }
}

/**
 * A dropped stream could not be resumed because the server's event log no
 * longer holds the events after the last one received (HTTP 410, -32010).
 * Nothing is left to wait for: send the request again.
 */
export class ReplayExpiredError extends SluiceError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('SLUICE_REPLAY_EXPIRED', `too late to resume: ${reason}`, options);
  }
}

/** No message arrived for the call within its timeout (progress resets it). */
export class TimeoutError extends SluiceError {
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super('SLUICE_TIMEOUT', `no answer within ${timeoutMs} ms`, options);
  }
}

/**
 * A resource changed while it was being read (its version differs from the
 * one the read started with): the bytes so far and the rest belong to two
 * versions, so the read fails instead of splicing them. Read it again.
 */
export class ResourceChangedError extends SluiceError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('SLUICE_RESOURCE_CHANGED', `resource changed: ${reason}`, options);
  }
}

/** Validates that `value` is an integer in `[min, max]`; throws {@link InvalidOptionError} naming `option` otherwise. */
export function requireInteger(option: string, value: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * Longest delay a timer takes (ms): the largest a Node or browser timer
 * accepts. A longer one fires at once, so every duration option is capped at
 * this.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Validates a duration option (ms): an integer from `min` to {@link MAX_TIMER_DELAY_MS}. */
export function requireDuration(option: string, value: number, min: number = 1): number {
  return requireInteger(option, value, min, MAX_TIMER_DELAY_MS);
}
