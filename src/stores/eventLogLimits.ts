/**
 * Event log bounds with the defaults filled in, checked where they enter.
 *
 * @module
 */
import {
  DEFAULT_EVENT_LOG_MAX_AGE_MS,
  DEFAULT_EVENT_LOG_MAX_BYTES,
  DEFAULT_EVENT_LOG_MAX_EVENTS,
  DEFAULT_EVENT_LOG_MAX_SESSION_BYTES,
  DEFAULT_EVENT_LOG_MAX_STREAMS,
} from '../defaults.js';
import { requireDuration, requireInteger } from '../errors.js';
import type { EventLogLimits } from './eventLog.js';

/** Throws `InvalidOptionError` naming a bound that makes no sense. */
export function eventLogLimits(limits: Partial<EventLogLimits> = {}): EventLogLimits {
  return {
    maxEvents: requireInteger('eventLog.maxEvents', limits.maxEvents ?? DEFAULT_EVENT_LOG_MAX_EVENTS, 1),
    maxAgeMs: requireDuration('eventLog.maxAgeMs', limits.maxAgeMs ?? DEFAULT_EVENT_LOG_MAX_AGE_MS, 1),
    maxBytes: requireInteger('eventLog.maxBytes', limits.maxBytes ?? DEFAULT_EVENT_LOG_MAX_BYTES, 1),
    maxStreams: requireInteger('eventLog.maxStreams', limits.maxStreams ?? DEFAULT_EVENT_LOG_MAX_STREAMS, 1),
    maxSessionBytes: requireInteger('eventLog.maxSessionBytes', limits.maxSessionBytes ?? DEFAULT_EVENT_LOG_MAX_SESSION_BYTES, 1),
  };
}
