/**
 * The SDK `Server` sluice builds, with one change: a `tools/call` may answer
 * with a task. The SDK validates every `tools/call` result as a
 * `CallToolResult` and refuses a 2025-11-25 `CreateTaskResult` (`{ task }`,
 * no content); SDK 2.4.0 has no task runtime to know better. A handler that
 * created a task throws {@link TaskCreated}, which carries the answer past
 * that validation, through the SDK's own hook for subclasses (`_wrapHandler`).
 *
 * @module
 */
import { type JSONRPCRequest, type Result, Server, type ServerContext } from '@modelcontextprotocol/server';
import { Method } from '../protocol/wire.js';

/** Thrown by a `tools/call` handler that answers with a task instead of a result. */
export class TaskCreated extends Error {
  constructor(readonly result: Record<string, unknown>) {
    super('task created');
    this.name = 'TaskCreated';
  }
}

/** Answers the `tools/call` being handled with a `CreateTaskResult`. */
export function taskCreated(result: Record<string, unknown>): never {
  throw new TaskCreated(result);
}

export class SluiceSdkServer extends Server {
  protected override _wrapHandler(
    method: string,
    handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>,
  ): (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> {
    const wrapped = super._wrapHandler(method, handler);
    if (method !== Method.ToolsCall) return wrapped;
    return async (request, ctx) => {
      try {
        return await wrapped(request, ctx);
      } catch (error) {
        if (error instanceof TaskCreated) return error.result as Result;
        throw error;
      }
    };
  }
}
