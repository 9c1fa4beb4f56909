/**
 * What `sluice top` shows, as lines of text: the dashboard's numbers from two
 * scrapes of a server's `/metrics` (rates need the one before). Pure: no I/O,
 * no clock, so a test can feed it two expositions and read the frame.
 *
 * @module
 */
import { type Sample, sumBy, total } from './promText.js';

/** One scrape: its samples and when it was taken (ms). */
export interface Scrape {
  readonly samples: readonly Sample[];
  readonly at: number;
}

const KINDS = ['session', 'standalone', 'exchange', 'stdio', 'websocket', 'resource'] as const;
const CAUSES = ['client', 'disconnect', 'timeout', 'shutdown', 'stall'] as const;

export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const right = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

/** A table: the first column left-aligned, the others right-aligned, each as wide as its widest cell. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? pad(cell, widths[i]!) : right(cell, widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** The frame for `now` (and the scrape before it, for rates). */
export function renderTop(target: string, now: Scrape, before: Scrape | undefined, note = ''): string[] {
  const s = now.samples;
  const seconds = before === undefined ? undefined : (now.at - before.at) / 1000;
  const rate = (name: string, match: Record<string, string>) =>
    seconds === undefined || seconds <= 0 ? undefined : Math.max(0, total(s, name, match) - total(before!.samples, name, match)) / seconds;
  const shown = (value: number | undefined, format: (n: number) => string) => (value === undefined ? '—' : format(value));

  const lines = [
    `sluice top  ${target}  ${new Date(now.at).toISOString().slice(11, 19)}${note === '' ? '' : `  ${note}`}`,
    [
      `requests in flight ${total(s, 'sluice_requests_inflight')}`,
      `sessions ${total(s, 'sluice_sessions_active')} (hibernating ${total(s, 'sluice_sessions_hibernating')})`,
      `scripts ${total(s, 'sluice_script_processes')}`,
      `event logs ${total(s, 'sluice_event_log_streams')} streams, ${bytes(total(s, 'sluice_event_log_bytes'))}`,
    ].join(' · '),
    '',
  ];

  const tools = [...new Set([...sumBy(s, 'sluice_tool_calls_total', 'tool').keys(), ...sumBy(s, 'sluice_tool_calls_running', 'tool').keys()])].sort();
  const toolRows = tools.map((tool) => {
    const count = total(s, 'sluice_tool_call_duration_seconds_count', { tool });
    const sum = total(s, 'sluice_tool_call_duration_seconds_sum', { tool });
    return [
      tool,
      String(total(s, 'sluice_tool_calls_running', { tool })),
      shown(rate('sluice_tool_calls_total', { tool }), (n) => n.toFixed(1)),
      String(total(s, 'sluice_tool_calls_total', { tool, outcome: 'ok' })),
      String(total(s, 'sluice_tool_calls_total', { tool, outcome: 'error' })),
      String(total(s, 'sluice_tool_calls_total', { tool, outcome: 'cancelled' })),
      count > 0 ? `${(sum / count).toFixed(2)} s` : '—',
    ];
  });
  lines.push(...(toolRows.length > 0 ? table(['TOOL', 'RUNNING', 'CALLS/S', 'OK', 'ERROR', 'CANCELLED', 'AVG TIME'], toolRows) : ['no tool has been called']), '');

  const streamRows = KINDS.map((kind) => [
    kind,
    String(total(s, 'sluice_streams_open', { kind })),
    String(total(s, 'sluice_streams_open', { kind, full: 'true' })),
    bytes(total(s, 'sluice_stream_unread_bytes', { kind })),
    shown(rate('sluice_stream_bytes_sent_total', { kind }), (n) => `${bytes(n)}/s`),
    shown(rate('sluice_stream_events_sent_total', { kind }), (n) => n.toFixed(1)),
    String(total(s, 'sluice_stream_resumptions_total', { kind })),
    String(total(s, 'sluice_stream_replayed_events_total', { kind })),
    String(total(s, 'sluice_stream_too_late_total', { kind })),
    String(total(s, 'sluice_stream_drops_total', { kind })),
  ]);
  lines.push(...table(['STREAMS', 'OPEN', 'FULL', 'UNREAD', 'SENT/S', 'EVENTS/S', 'RESUMED', 'REPLAYED', '410', 'DROPPED'], streamRows), '');
  lines.push(`cancelled: ${CAUSES.map((cause) => `${cause} ${total(s, 'sluice_cancellations_total', { cause })}`).join(' · ')}`);
  return lines;
}
