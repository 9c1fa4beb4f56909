/**
 * The LLM streaming loop over MCP tools: the model streams its answer; when
 * it asks for tools, each runs as a streamed MCP call (sluice's client), and
 * its progress and partial output flow into the same stream as the model's
 * text; the results go back to the model; until it stops asking.
 *
 * One ordered stream of {@link AgentEvent}s, merged through a bounded
 * {@link PushChannel}: a consumer that reads slowly holds back the model
 * stream and the tools' event delivery (never a buffer that grows). One
 * signal cancels everything: the model's HTTP stream and every running tool
 * call (each told with `notifications/cancelled`, or its stream closed on
 * 2026-07-28); the iteration then throws `CancelledError`. A consumer that
 * stops iterating cancels the same way.
 *
 * Tools of several targets are offered together; a name the model cannot
 * take (outside `[A-Za-z0-9_-]`, over 64 characters) or taken twice is
 * renamed (`t2_name`), and mapped back when called.
 *
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { SluiceClient } from '../client/connect.js';
import { CancelledError } from '../errors.js';
import { PushChannel } from '../flow/pushChannel.js';
import type { AgentEvent, ModelProvider, ModelTool, ToolUse, Turn, Usage } from './types.js';

export interface RunAgentOptions {
  readonly provider: ModelProvider;
  /** Connected MCP servers whose tools the model may call. */
  readonly targets: readonly SluiceClient[];
  readonly model: string;
  /** The user's message (or a whole conversation so far). */
  readonly prompt: string | readonly Turn[];
  readonly system?: string;
  /** Model turns at most (each tool round is one). @defaultValue 10 */
  readonly maxTurns?: number;
  /** @defaultValue 4096 */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
}

/** Events queued for the consumer before producers wait. */
const EVENT_BUFFER = 64;

interface OfferedTool {
  readonly target: SluiceClient;
  readonly name: string;
  readonly offered: ModelTool;
}

/** Runs the loop; iterate the result for its events. */
export function runAgent(options: RunAgentOptions): AsyncIterable<AgentEvent> {
  return {
    [Symbol.asyncIterator]: () => {
      const channel = new PushChannel<AgentEvent>(EVENT_BUFFER);
      const controller = new AbortController();
      const onAbort = () => controller.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      void drive(options, channel, controller.signal).then(
        () => channel.end(),
        (error: unknown) => channel.fail(controller.signal.aborted ? new CancelledError('The agent run was cancelled', { cause: error }) : error),
      );
      const inner = channel[Symbol.asyncIterator]();
      const stop = () => {
        options.signal?.removeEventListener('abort', onAbort);
        controller.abort(new Error('the consumer stopped'));
      };
      return {
        next: async () => {
          const next = await inner.next();
          if (next.done === true) stop();
          return next;
        },
        return: async (value?: unknown) => {
          stop();
          await inner.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}

async function drive(options: RunAgentOptions, channel: PushChannel<AgentEvent>, signal: AbortSignal): Promise<void> {
  const tools = await offeredTools(options.targets);
  const turns: Turn[] = typeof options.prompt === 'string' ? [{ role: 'user', text: options.prompt }] : [...options.prompt];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const maxTurns = options.maxTurns ?? 10;
  for (let turn = 1; ; turn++) {
    const answer = await modelTurn(options, turns, [...tools.values()].map((t) => t.offered), channel, signal);
    usage.inputTokens += answer.usage.inputTokens;
    usage.outputTokens += answer.usage.outputTokens;
    turns.push({ role: 'assistant', text: answer.text, toolUses: answer.toolUses });
    if (answer.toolUses.length === 0 || turn >= maxTurns) {
      await channel.push({ type: 'done', stopReason: answer.toolUses.length > 0 ? 'max_turns' : answer.stopReason, turns: turn, usage: { ...usage } });
      return;
    }
    const results = await Promise.all(answer.toolUses.map((use) => runTool(use, tools, channel, signal)));
    turns.push({ role: 'tool_results', results });
  }
}

/** One model turn: text goes out as it comes; tool uses are collected. */
async function modelTurn(options: RunAgentOptions, turns: readonly Turn[], tools: ModelTool[], channel: PushChannel<AgentEvent>, signal: AbortSignal) {
  let text = '';
  const toolUses: ToolUse[] = [];
  let stopReason = 'end_turn';
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const stream = options.provider.stream({
    model: options.model,
    turns,
    tools,
    maxTokens: options.maxTokens ?? 4096,
    signal,
    ...(options.system !== undefined && { system: options.system }),
  });
  for await (const event of stream) {
    if (event.type === 'text') {
      text += event.text;
      await channel.push({ type: 'text', text: event.text });
    } else if (event.type === 'tool_use') toolUses.push(event.use);
    else ({ reason: stopReason, usage } = event);
  }
  // A provider's stream may just end when aborted (Anthropic's SDK does): that is no answer.
  signal.throwIfAborted();
  return { text, toolUses, stopReason, usage };
}

/** One tool call, streamed into the channel; its result as the model will read it. */
async function runTool(use: ToolUse, tools: ReadonlyMap<string, OfferedTool>, channel: PushChannel<AgentEvent>, signal: AbortSignal) {
  const tool = tools.get(use.name);
  await channel.push({ type: 'tool_start', id: use.id, tool: tool?.name ?? use.name, input: use.input });
  let result: CallToolResult;
  if (tool === undefined) {
    result = { content: [{ type: 'text', text: `No tool named ${use.name}` }], isError: true };
  } else {
    const call = tool.target.callToolStream(tool.name, use.input as Record<string, unknown>, { signal });
    for await (const event of call) {
      if (event.type === 'progress') {
        await channel.push({ type: 'tool_progress', id: use.id, progress: event.progress, ...(event.total !== undefined && { total: event.total }), ...(event.message !== undefined && { message: event.message }) });
      } else if (event.type === 'partial') {
        await channel.push({ type: 'tool_partial', id: use.id, content: event.content as unknown as Array<Record<string, unknown>> });
      }
    }
    result = await call.result;
  }
  await channel.push({ type: 'tool_result', id: use.id, result });
  return { id: use.id, text: textOf(result), isError: result.isError === true };
}

/** Every target's tools under names the model can take, unique over all targets. */
async function offeredTools(targets: readonly SluiceClient[]): Promise<Map<string, OfferedTool>> {
  const offered = new Map<string, OfferedTool>();
  for (const [index, target] of targets.entries()) {
    for (const tool of await target.listTools()) {
      let name = tool.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
      if (offered.has(name)) name = `t${index + 1}_${name}`.slice(0, 64);
      offered.set(name, {
        target,
        name: tool.name,
        offered: { name, description: tool.description ?? tool.title ?? tool.name, inputSchema: tool.inputSchema as Record<string, unknown> },
      });
    }
  }
  return offered;
}

/** A result as text for the model: its text blocks, else its JSON. */
function textOf(result: CallToolResult): string {
  const texts = result.content.flatMap((block) => (block.type === 'text' ? [block.text] : []));
  return texts.length > 0 ? texts.join('\n') : JSON.stringify(result.structuredContent ?? result.content);
}
