/**
 * The vocabulary of the agent loop (`runAgent.ts`): what it yields, what a
 * model provider must do, and the provider-neutral transcript it keeps.
 *
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/client';

/** One event of a run, in the order things happened. */
export type AgentEvent =
  /** A piece of the model's answer. */
  | { readonly type: 'text'; readonly text: string }
  /** The model asked for a tool; the call starts now. `id` names the call in the events that follow. */
  | { readonly type: 'tool_start'; readonly id: string; readonly tool: string; readonly input: Readonly<Record<string, unknown>> }
  | { readonly type: 'tool_progress'; readonly id: string; readonly progress: number; readonly total?: number; readonly message?: string }
  /** Streamed output of a running tool (partial results, SEP-2998). */
  | { readonly type: 'tool_partial'; readonly id: string; readonly content: ReadonlyArray<Record<string, unknown>> }
  | { readonly type: 'tool_result'; readonly id: string; readonly result: CallToolResult }
  /** The run ended: the model's last stop reason, turns taken, tokens used. */
  | { readonly type: 'done'; readonly stopReason: string; readonly turns: number; readonly usage: Usage };

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** A tool as the model is told of it. */
export interface ModelTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** A tool use the model asked for. */
export interface ToolUse {
  readonly id: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The conversation, neutral of any provider: each provider turns it into its own messages. */
export type Turn =
  | { readonly role: 'user'; readonly text: string }
  | { readonly role: 'assistant'; readonly text: string; readonly toolUses: readonly ToolUse[] }
  | { readonly role: 'tool_results'; readonly results: ReadonlyArray<{ readonly id: string; readonly text: string; readonly isError: boolean }> };

/** What a model's stream says, reduced to what the loop needs. */
export type ModelEvent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly use: ToolUse }
  | { readonly type: 'stop'; readonly reason: string; readonly usage: Usage };

/** A model behind a streaming API. */
export interface ModelProvider {
  /** Streams one model turn; throws the provider's error (HTTP or mid-stream); stops when `signal` aborts. */
  stream(request: {
    readonly model: string;
    readonly system?: string;
    readonly turns: readonly Turn[];
    readonly tools: readonly ModelTool[];
    readonly maxTokens: number;
    readonly signal: AbortSignal;
  }): AsyncIterable<ModelEvent>;
}
