/**
 * `sluice read TARGET URI [-o FILE]`: a resource of any size, byte for byte,
 * to stdout or a file, with the transfer on stderr.
 *
 * @module
 */
import type { Era } from '../client/connect.js';
import { chunkSizeOf } from '../client/readStream.js';
import { CliError, log } from './cliError.js';
import { connectOrFail } from './connectTarget.js';
import { outputSink } from './outputSink.js';
import { createTransferView, formatBytes } from './transferView.js';

export interface ReadOptions {
  readonly output?: string;
  readonly era?: Era;
  readonly chunkSize?: string;
}

/**
 * Streams a resource to stdout or `-o FILE`, byte for byte, with progress on
 * stderr. A file is written under a temporary name and renamed only when the
 * read completed, so a failed read never leaves a truncated file behind.
 */
export async function readCommand(target: string, uri: string, options: ReadOptions): Promise<void> {
  // Checked here, so a bad --chunk-size or SLUICE_CHUNK_SIZE is a usage error; unset, each mode keeps its own default.
  let chunkSize: number | undefined;
  try {
    const checked = chunkSizeOf(options.chunkSize === undefined ? undefined : Number(options.chunkSize));
    chunkSize = options.chunkSize === undefined ? undefined : checked;
  } catch (error) {
    throw new CliError(`--chunk-size ${options.chunkSize ?? ''}: ${(error as Error).message}`.replace(/\s+:/, ':'), 2);
  }
  const view = createTransferView();
  const client = await connectOrFail(target, options.era, (line) => view.notice(`sluice: ${line}`));
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.on('SIGINT', onSigint);
  const sink = outputSink(options.output, (error) => controller.abort(error));
  let completed = false;
  try {
    const stream = client.readResourceStream(uri, { ...(chunkSize !== undefined && { chunkSize }), signal: controller.signal });
    let bytes = 0;
    for await (const chunk of stream) {
      bytes += chunk.length;
      await sink.write(chunk);
      view.update(bytes, stream.size);
    }
    view.update(bytes, stream.size);
    view.stop();
    await sink.commit();
    completed = true;
    const stats = stream.stats();
    log(
      `read ${bytes} bytes of ${uri}${options.output === undefined ? '' : ` into ${options.output}`} in ${(stats.elapsedMs / 1000).toFixed(2)} s ` +
        `(${formatBytes(stats.bytesPerSecond)}/s, ${stream.mode ?? 'windows'})`,
    );
  } finally {
    view.stop();
    process.off('SIGINT', onSigint);
    if (!completed) await sink.abandon();
    await client.close().catch(() => {});
  }
}

