/**
 * Fail fast on a lost stream.
 *
 * The SDK client leaves a call pending until its timeout when the SSE stream
 * carrying its answer drops and cannot be resumed (every 2026-07-28 stream,
 * and a 2025 stream that never carried an event id). This fetch wrapper
 * watches the response stream of each call made by the sluice client: when
 * it ends or fails before the call's response went through, and the server
 * gave no event id to resume from, `onLost` names the call at once. A
 * resumption (GET with `Last-Event-ID`) is matched to its call by the last
 * event id seen on the call's streams: when the server answers it 410 (too
 * late to replay), `onLost` names the call too, instead of letting the SDK
 * retry and give up silently.
 *
 * @module
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { SseParser } from '../flow/sseParser.js';
import { CALL_ID_META_KEY, Header } from '../protocol/wire.js';

/** `lost`: no event id to resume from; `expired`: the server answered the resumption 410 (its log moved on). */
export type LossKind = 'lost' | 'expired';

/** Called when the stream of call `callId` was lost with no way to resume it. */
export type OnStreamLost = (callId: string, reason: string, kind: LossKind) => void;

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

/**
 * @param maxAttempts - failed resumptions in a row after which a call is
 *   given up (the SDK stops retrying then too, but leaves the call pending).
 */
export function watchingFetch(onLost: OnStreamLost, maxAttempts: number = Number.POSITIVE_INFINITY, base: FetchLike = fetch): FetchLike {
  // The last event id seen on each watched call's streams, both ways: a resumption names its call by it.
  const callOfEventId = new Map<string, WatchedCall>();
  const lastIdOfCall = new Map<string, string>();
  const remember = (call: WatchedCall, eventId: string) => {
    const previous = lastIdOfCall.get(call.callId);
    if (previous !== undefined) callOfEventId.delete(previous);
    lastIdOfCall.set(call.callId, eventId);
    callOfEventId.set(eventId, call);
  };
  const failedResumptions = new Map<string, number>();
  const forget = (call: WatchedCall) => {
    const previous = lastIdOfCall.get(call.callId);
    if (previous !== undefined) callOfEventId.delete(previous);
    lastIdOfCall.delete(call.callId);
    failedResumptions.delete(call.callId);
  };
  /** Counts a failed resumption; past the budget the call is given up. */
  const resumptionFailed = (call: WatchedCall, why: string) => {
    const failures = (failedResumptions.get(call.callId) ?? 0) + 1;
    failedResumptions.set(call.callId, failures);
    if (failures >= maxAttempts) {
      forget(call);
      onLost(call.callId, `gave up after ${failures} attempts to resume the stream (last: ${why})`, 'lost');
    }
  };

  return async (input, init) => {
    const resumedFrom = init?.method === 'GET' ? headerOf(init.headers, Header.LastEventId) : undefined;
    const resuming = resumedFrom === undefined ? undefined : callOfEventId.get(resumedFrom);
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      if (resuming !== undefined) resumptionFailed(resuming, error instanceof Error ? error.message : String(error));
      throw error;
    }
    const call = watchedCallOf(init) ?? resuming;
    if (call === undefined) return response;
    if (resuming !== undefined && response.status === 410) {
      forget(call);
      onLost(call.callId, `the server no longer holds the events after ${resumedFrom} (HTTP 410)`, 'expired');
      return response;
    }
    if (resuming !== undefined && !response.ok) {
      resumptionFailed(call, `HTTP ${response.status}`);
      return response;
    }
    if (resuming !== undefined) failedResumptions.delete(call.callId);
    if (response.body === null || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
    // A resumed stream continues from an id: it is resumable again from the start.
    let answered = false;
    let resumable = resumedFrom !== undefined;
    let reported = false;
    const parser = new SseParser({
      onEvent: (event) => {
        if (event.id !== undefined && event.id !== '') {
          resumable = true;
          if (!answered) remember(call, event.id);
        }
        if (event.data.includes('"id"')) {
          try {
            const message = JSON.parse(event.data) as { id?: unknown; method?: unknown };
            if (message.id === call.requestId && message.method === undefined) {
              answered = true;
              forget(call);
            }
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
        forget(call);
        onLost(call.callId, reason, 'lost');
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
          forget(call);
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function headerOf(headers: RequestInit['headers'], name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entries: Array<[string, unknown]> = Array.isArray(headers) ? (headers as Array<[string, string]>) : Object.entries(headers);
  const value = entries.find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof value === 'string' ? value : undefined;
}
