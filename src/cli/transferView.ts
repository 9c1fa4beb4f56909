/**
 * Transfer progress for `sluice read` on stderr: a live bar with bytes,
 * total and rate on a TTY (cli-progress), else a plain line at most once a
 * second and a summary at the end.
 *
 * @module
 */
import { SingleBar } from 'cli-progress';

export interface TransferView {
  /** `total` once known. */
  update(bytes: number, total: number | undefined): void;
  /** Shows a one-line notice without tearing the bar. */
  notice(line: string): void;
  stop(): void;
}

const PLAIN_INTERVAL_MS = 1000;

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function createTransferView(stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): TransferView {
  // The clock starts with the first bytes, not when the view is made (connecting may take a while).
  let startedAt: number | undefined;
  const rate = (bytes: number) => `${formatBytes(bytes / Math.max((now() - (startedAt ??= now())) / 1000, 0.001))}/s`;
  if (stream.isTTY === true) {
    let bar: SingleBar | undefined;
    const payload = (bytes: number, total: number | undefined) => ({
      done: formatBytes(bytes),
      size: total === undefined ? '?' : formatBytes(total),
      rate: rate(bytes),
    });
    return {
      update(bytes, total) {
        if (bar === undefined) {
          bar = new SingleBar({
            stream,
            format: total === undefined ? '{done} | {rate}' : '{bar} {percentage}% | {done}/{size} | {rate}',
            hideCursor: true,
            clearOnComplete: false,
          });
          bar.start(total ?? 0, bytes, payload(bytes, total));
        } else {
          if (total !== undefined) bar.setTotal(total);
          bar.update(bytes, payload(bytes, total));
        }
      },
      notice(line) {
        if (bar === undefined) {
          stream.write(`${line}\n`);
          return;
        }
        stream.write(`\r\x1b[2K${line}\n`);
        bar.render();
      },
      stop() {
        bar?.stop();
        bar = undefined;
      },
    };
  }
  let lastLine: number | undefined;
  return {
    update(bytes, total) {
      startedAt ??= now();
      lastLine ??= startedAt;
      if (now() - lastLine < PLAIN_INTERVAL_MS) return;
      lastLine = now();
      stream.write(`read ${formatBytes(bytes)}${total === undefined ? '' : ` of ${formatBytes(total)}`} (${rate(bytes)})\n`);
    },
    notice(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
