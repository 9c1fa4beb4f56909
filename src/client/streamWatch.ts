/**
 * Fail fast on a lost stream.
 *
 * The SDK client leaves a call pending until its timeout when the SSE stream
 * carrying its answer drops and cannot be resumed (every 2026-07-28 stream,
 * and a 2025 stream that never carried an event id). This fetch wrapper
 * watches the response stream of each call made by the sluice client: when
 * it ends or fails before the call's response went through, and the server
 * gave no event id to resume from, `onLost` names the call at once.
 *
 * @module
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { SseParser } from '../flow/sseParser.js';
import { CALL_ID_META_KEY } from '../protocol/wire.js';

/** Called when the stream of call `callId` was lost with no way to resume it. */
export type OnStreamLost = (callId: string, reason: string) => void;

interface WatchedCall {
  readonly callId: string;
  readonly requestId: string | number;
}

function watchedCallOf(init: RequestInit | undefined): WatchedCall | undefined {
  if (init?.method !== 'POST' || typeof init.body !== 'string') return undefined;
  // Cheap pre-check before parsing: only our own calls carry the key.
  if (!init.body.includes(CALL_ID_META_KEY)) return undefined;
  try {
    const message = JSON.parse(init.body) as { id?: string | number; params?: { _meta?: Record<string, unknown> } };
    const callId = message.params?._meta?.[CALL_ID_META_KEY];
    if (typeof callId !== 'string' || message.id === undefined) return undefined;
    return { callId, requestId: message.id };
  } catch {
    return undefined;
  }
}

export function watchingFetch(onLost: OnStreamLost, base: FetchLike = fetch): FetchLike {
  return async (input, init) => {
    const response = await base(input, init);
    const call = watchedCallOf(init);
    if (call === undefined || response.body === null || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      return response;
    }
    let answered = false;
    let resumable = false;
    let reported = false;
    const parser = new SseParser({
      onEvent: (event) => {
        if (event.id !== undefined && event.id !== '') resumable = true;
        if (event.data.includes('"id"')) {
          try {
            const message = JSON.parse(event.data) as { id?: unknown; method?: unknown };
            if (message.id === call.requestId && message.method === undefined) answered = true;
          } catch {
            // Not JSON: not our answer.
          }
        }
      },
    });
    const decoder = new TextDecoder();
    const settle = (reason: string) => {
      if (!answered && !resumable && !reported) {
        reported = true;
        onLost(call.callId, reason);
      }
    };
    // Pull-based: the upstream is read only as fast as the SDK reads, so watching adds no buffer.
    const reader = response.body.getReader();
    const watched = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            settle(`the stream failed: ${error instanceof Error ? error.message : String(error)}`);
            controller.error(error);
            return;
          }
          if (chunk.done) {
            settle('the server closed the stream before answering');
            controller.close();
            return;
          }
          parser.feed(decoder.decode(chunk.value, { stream: true }));
          controller.enqueue(chunk.value);
        },
        cancel(reason) {
          // The SDK gave up on the stream itself (e.g. the call was aborted): nothing to report.
          reported = true;
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
