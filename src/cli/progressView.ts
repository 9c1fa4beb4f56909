/**
 * Progress on stderr: a live bar on a TTY (cli-progress), plain lines
 * otherwise, so logs and pipes stay readable.
 *
 * @module
 */
import type { SingleBar } from 'cli-progress';
import type { ProgressEvent } from '../client/callStream.js';

export interface ProgressView {
  update(event: ProgressEvent): void;
  /** Runs `write` (output to stdout) without tearing the bar: the bar is cleared first and redrawn after. */
  interrupt(write: () => void): void;
  stop(): void;
}

/** The view for `stream`; the bar library is loaded only for a terminal. */
export async function createProgressView(stream: NodeJS.WriteStream = process.stderr): Promise<ProgressView> {
  if (stream.isTTY === true) {
    // cli-progress is CommonJS: its exports are the module's default, under Node and in the bundle alike.
    const { SingleBar } = (await import('cli-progress')).default;
    let bar: SingleBar | undefined;
    return {
      update(event) {
        const total = event.total ?? 0;
        if (bar === undefined) {
          bar = new SingleBar(
            {
              stream,
              format: total > 0 ? '{bar} {percentage}% | {value}/{total} | {message}' : '{value} | {message}',
              hideCursor: true,
              clearOnComplete: false,
            },
          );
          bar.start(total, event.progress, { message: event.message ?? '' });
        } else {
          if (total > 0) bar.setTotal(total);
          bar.update(event.progress, { message: event.message ?? '' });
        }
      },
      interrupt(write) {
        if (bar === undefined) return write();
        stream.write('\r\x1b[2K');
        write();
        bar.render();
      },
      stop() {
        bar?.stop();
      },
    };
  }
  return {
    update(event) {
      const amount = event.total === undefined ? `${event.progress}` : `${event.progress}/${event.total}`;
      stream.write(`progress ${amount}${event.message === undefined ? '' : ` ${event.message}`}\n`);
    },
    interrupt(write) {
      write();
    },
    stop() {},
  };
}
