/**
 * Runs async tasks one after another, in the order they were given: what a
 * stream needs so that its messages are appended in the order they were
 * sent, even while one of them waits for room. A task that fails fails only
 * its own promise; the next one still runs.
 *
 * @module
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Tasks given and not finished. */
  get pending(): number {
    return this.#pending;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task, task);
    this.#tail = result.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return result;
  }
}
