// A script's stderr as log messages: one message per line, a level from the first word, at most
// a burst then the rate, one in flight, long lines cut, and what was skipped said. Guards against
// a script that floods stderr flooding its client (or the server's memory with a queue).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STDERR_LOG_BURST_LINES, DEFAULT_STDERR_LOG_LINE_CHARS, DEFAULT_STDERR_LOG_LINES_PER_SECOND } from '../../src/defaults.js';
import { levelOf, StderrLog } from '../../src/runner/stderrLog.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('lines split across chunks, levels from the first word, blank lines skipped', async () => {
  const sent: Array<[string, string]> = [];
  const log = new StderrLog(async (level, data) => void sent.push([level, data]), () => 0);
  for (const chunk of ['Error: disk ', 'full\n', '\nwarning: slow\r\n[DEBUG] x\nplain', ' words']) {
    log.feed(chunk);
    await tick();
  }
  log.end();
  await tick();
  assert.deepEqual(sent, [
    ['error', 'Error: disk full'],
    ['warning', 'warning: slow'],
    ['debug', '[DEBUG] x'],
    ['info', 'plain words'],
  ]);
  assert.equal(levelOf('FATAL boom'), 'error');
  assert.equal(levelOf('warnings are words'), 'info');
});

test('a flood: the burst, then the rate; skipped lines are counted into the next message and a last note', async () => {
  let now = 0;
  const sent: string[] = [];
  const log = new StderrLog(async (_level, data) => void sent.push(data), () => now);
  for (let i = 0; i < 1000; i++) {
    log.feed(`line ${i}\n`);
    await tick(); // the client takes each message at once: only the rate limits
  }
  assert.equal(sent.length, DEFAULT_STDERR_LOG_BURST_LINES);
  now = 1000;
  log.feed('after a second\n');
  await tick();
  assert.equal(sent.at(-1), `[${1000 - DEFAULT_STDERR_LOG_BURST_LINES} lines skipped] after a second`);
  for (let i = 0; i < 50; i++) log.feed(`more ${i}\n`);
  await tick();
  assert.equal(sent.length, DEFAULT_STDERR_LOG_BURST_LINES + Math.min(DEFAULT_STDERR_LOG_LINES_PER_SECOND, 50) , 'refilled at the rate');
  log.end();
  await tick();
  assert.match(sent.at(-1)!, /^\[\d+ stderr lines skipped/);
});

test('one message in flight, a burst waiting behind it, the rest skipped; long lines are cut', async () => {
  const sent: string[] = [];
  let release: () => void = () => {};
  const log = new StderrLog(
    (_level, data) => {
      sent.push(data);
      return new Promise<void>((resolve) => (release = resolve));
    },
    () => 0,
  );
  for (let i = 0; i < 2 * DEFAULT_STDERR_LOG_BURST_LINES; i++) log.feed(`line ${i}\n`);
  assert.deepEqual(sent, ['line 0'], 'one in flight');
  for (let i = 1; i <= DEFAULT_STDERR_LOG_BURST_LINES - 1; i++) {
    release();
    await tick();
    assert.equal(sent.at(-1), `line ${i}`, 'the waiting lines follow in order');
  }
  release();
  await tick();
  assert.equal(sent.length, DEFAULT_STDERR_LOG_BURST_LINES, 'the bucket is empty: nothing waited beyond it');
  // Refilled after a long pause (the clock says 0, so: a fresh log to show the cut).
  const cut: string[] = [];
  const other = new StderrLog(async (_level, data) => void cut.push(data), () => 0);
  other.feed(`${'x'.repeat(DEFAULT_STDERR_LOG_LINE_CHARS + 10)}\n`);
  assert.equal(cut[0], `${'x'.repeat(DEFAULT_STDERR_LOG_LINE_CHARS)}…`);
  log.feed('one more\n'); // skipped: the bucket is empty
  log.end();
  assert.equal(sent.length, DEFAULT_STDERR_LOG_BURST_LINES + 1);
  assert.match(sent.at(-1)!, new RegExp(`^\\[${DEFAULT_STDERR_LOG_BURST_LINES + 1} stderr lines skipped`));
});
