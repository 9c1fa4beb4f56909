/**
 * Anthropic's Messages API as a {@link ModelProvider}, through the official
 * SDK (`@anthropic-ai/sdk`): `messages.create({ stream: true })`, whose raw
 * server-sent events are reduced to text deltas, complete tool uses (their
 * `input_json_delta` pieces joined and parsed once the block stops) and the
 * stop reason with usage. HTTP errors and an `error` event in the middle of
 * the stream surface as the SDK's `APIError`s; aborting the signal ends the
 * HTTP request.
 *
 * @module
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ModelEvent, ModelProvider, ModelTool, Turn } from './types.js';

type MessageParam = Anthropic.MessageParam;

/** The provider over an Anthropic client (its API key, base URL and retries are the client's). */
export function anthropicProvider(client: Anthropic): ModelProvider {
  return {
    async *stream({ model, system, turns, tools, maxTokens, signal }) {
      const events = await client.messages.create(
        {
          model,
          max_tokens: maxTokens,
          stream: true,
          messages: toMessages(turns),
          ...(system !== undefined && { system }),
          ...(tools.length > 0 && { tools: tools.map(toTool) }),
        },
        { signal },
      );
      yield* reduce(events);
    },
  };
}

/** Raw stream events to the loop's: text as it comes, a tool use once its block is complete. */
async function* reduce(events: AsyncIterable<Anthropic.RawMessageStreamEvent>): AsyncGenerator<ModelEvent> {
  const blocks = new Map<number, { id: string; name: string; json: string }>();
  let inputTokens = 0;
  let outputTokens = 0;
  let stopReason = 'end_turn';
  for await (const event of events) {
    switch (event.type) {
      case 'message_start':
        inputTokens = event.message.usage.input_tokens;
        outputTokens = event.message.usage.output_tokens;
        break;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') blocks.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') yield { type: 'text', text: event.delta.text };
        else if (event.delta.type === 'input_json_delta') {
          const block = blocks.get(event.index);
          if (block !== undefined) block.json += event.delta.partial_json;
        }
        break;
      case 'content_block_stop': {
        const block = blocks.get(event.index);
        if (block === undefined) break;
        blocks.delete(event.index);
        yield { type: 'tool_use', use: { id: block.id, name: block.name, input: block.json.trim() === '' ? {} : (JSON.parse(block.json) as Record<string, unknown>) } };
        break;
      }
      case 'message_delta':
        stopReason = event.delta.stop_reason ?? stopReason;
        outputTokens = event.usage.output_tokens;
        break;
      default:
        break;
    }
  }
  yield { type: 'stop', reason: stopReason, usage: { inputTokens, outputTokens } };
}

function toTool(tool: ModelTool): Anthropic.Tool {
  return { name: tool.name, description: tool.description, input_schema: { type: 'object', ...tool.inputSchema } as Anthropic.Tool.InputSchema };
}

function toMessages(turns: readonly Turn[]): MessageParam[] {
  return turns.map((turn): MessageParam => {
    if (turn.role === 'user') return { role: 'user', content: turn.text };
    if (turn.role === 'assistant') {
      return {
        role: 'assistant',
        content: [
          ...(turn.text === '' ? [] : [{ type: 'text' as const, text: turn.text }]),
          ...turn.toolUses.map((use) => ({ type: 'tool_use' as const, id: use.id, name: use.name, input: use.input })),
        ],
      };
    }
    return { role: 'user', content: turn.results.map((r) => ({ type: 'tool_result' as const, tool_use_id: r.id, content: r.text, is_error: r.isError })) };
  });
}
