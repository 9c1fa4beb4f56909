// The contract every EventLog implementation passes unchanged (memory now, Redis next):
// order, cursors from an id, waiting for room at the high-water mark, delivery that frees
// it, bounds that evict the oldest and answer "expired" instead of a gap, cuts, ends, clear.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CursorCutError, EventsLostError, type EventLog, type EventLogOptions, type LogCursor } from '../../../src/stores/eventLog.js';
import { eventLogLimits } from '../../../src/stores/eventLogLimits.js';
import { FakeClock } from '../../helpers/fakeClock.js';

export type EventLogFactory = (options: EventLogOptions, clock: FakeClock) => EventLog | Promise<EventLog>;

const text = (data: Uint8Array) => new TextDecoder().decode(data);
const options = (limits: Parameters<typeof eventLogLimits>[0] = {}, highWaterBytes = 1 << 20, extra: Partial<EventLogOptions> = {}): EventLogOptions => ({
  limits: eventLogLimits(limits),
  highWaterBytes,
  ...extra,
});

/**
 * How long something that would wait is given to show that it does not. No
 * signal can tell "waits" from "is slow", so a store that answers over a
 * network (Redis) needs a few round trips' grace; memory answers at once and
 * only the final, waiting read costs this.
 */
const QUIET_MS = 150;
const quiet = () => new Promise<'wait'>((resolve) => setTimeout(() => resolve('wait'), QUIET_MS));

/** Reads what a cursor has now (it stops at the first wait). */
async function readNow(cursor: LogCursor): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const next = await Promise.race([cursor.next(), quiet()]);
    if (next === 'wait' || next === undefined) return seen;
    seen.push(text(next.data));
  }
}

const settled = async (promise: Promise<unknown>) => Promise.race([promise.then(() => true), quiet().then(() => false)]);

export function eventLogContract(name: string, make: EventLogFactory): void {
  describe(`EventLog contract: ${name}`, () => {
    const open = (o = options()) => {
      const clock = new FakeClock();
      return Promise.resolve(make(o, clock)).then((log) => ({ log, clock }));
    };

    test('a cursor reads a stream in order, from the start or after an id, that stream only', async () => {
      const { log } = await open();
      const a = await log.openStream();
      const b = await log.openStream();
      const first = (await log.append(a, '1'))!;
      const other = (await log.append(b, 'other'))!;
      await log.append(a, '2');
      await log.append(a, '3');
      assert.deepEqual(await readNow(log.cursor(a, undefined)), ['1', '2', '3']);
      assert.deepEqual(await readNow(log.cursor(a, first)), ['2', '3']);
      assert.equal(log.streamOf(first), a);
      assert.equal(await log.check(first), 'ok');
      assert.equal(await log.lastEventId(b), other);
      assert.deepEqual(await readNow(log.cursor(b, other)), [], 'nothing after the newest');
    });

    test('a cursor waits for the next event and finishes once the stream ended', async () => {
      const { log } = await open();
      const s = await log.openStream();
      const cursor = log.cursor(s, undefined);
      const next = cursor.next();
      assert.equal(await settled(next), false, 'nothing yet: it waits');
      await log.append(s, 'late');
      assert.equal(text((await next)!.data), 'late');
      await log.end(s);
      assert.equal(await cursor.next(), undefined);
      assert.equal(await log.append(s, 'after the end'), undefined, 'an ended stream takes nothing more');
    });

    test('close({ afterCurrent }) hands out what the stream holds now, then ends; close() ends at once', async () => {
      const { log } = await open();
      const s = await log.openStream();
      await log.append(s, 'a');
      await log.append(s, 'b');
      const graceful = log.cursor(s, undefined);
      const abrupt = log.cursor(s, undefined);
      graceful.close({ afterCurrent: true });
      abrupt.close();
      await log.append(s, 'after the close');
      assert.deepEqual(await readNow(graceful), ['a', 'b']);
      assert.equal(await graceful.next(), undefined);
      assert.equal(await abrupt.next(), undefined);
      const ending = log.cursor(s, undefined);
      ending.close({ afterCurrent: true });
      await log.clear(); // the session ended while a connection was closing: the end, not a loss
      assert.equal(await ending.next(), undefined);
    });

    test('at the high-water mark a waiting producer waits; delivery makes room; results never wait', async () => {
      const { log } = await open(options({}, 10));
      const s = await log.openStream();
      await log.append(s, '0123456789', { wait: true });
      const held = log.append(s, 'next', { wait: true });
      assert.equal(await settled(held), false, 'held back: nothing was delivered');
      assert.equal(log.pressure(s).full, true);
      assert.ok(await log.append(s, 'result'), 'an append without wait goes in at once');
      const cursor = log.cursor(s, undefined);
      const first = (await cursor.next())!;
      cursor.delivered(first.id);
      assert.ok(await held, 'released by the delivery');
      const rest = await readNow(cursor);
      assert.deepEqual(rest, ['result', 'next'], 'in append order');
      const room = log.pressure(s).room();
      assert.equal(await settled(room), false, 'full again: room() waits');
      cursor.delivered((await log.lastEventId(s))!);
      await room;
      assert.equal(log.pressure(s).full, false);
    });

    test('the stall clock runs while full with no delivery, and restarts on delivery', async () => {
      const { log, clock } = await open(options({}, 4));
      const s = await log.openStream();
      const pressure = log.pressure(s);
      assert.equal(pressure.stalledFor(), 0);
      const id = (await log.append(s, 'full!'))!;
      clock.advance(300);
      assert.equal(pressure.stalledFor(), 300);
      log.cursor(s, undefined).delivered(id);
      assert.equal(pressure.stalledFor(), 0);
    });

    test('cut: open cursors fail, waiting producers are released and dropped, a later cursor reads on', async () => {
      const { log } = await open(options({}, 4));
      const s = await log.openStream();
      await log.append(s, 'full!');
      const before = log.cursor(s, undefined);
      await before.next();
      const waiting = before.next();
      const producer = log.append(s, 'held', { wait: true });
      log.pressure(s).cut('stalled');
      await assert.rejects(waiting, CursorCutError);
      assert.equal(await producer, undefined);
      assert.deepEqual(await readNow(log.cursor(s, undefined)), ['full!']);
    });

    test('count bound: delivered events go; resuming before them is expired, a cursor there fails', async () => {
      const { log } = await open(options({ maxEvents: 3 }));
      const s = await log.openStream();
      const ids: string[] = [];
      for (let i = 1; i <= 6; i++) ids.push((await log.append(s, String(i)))!);
      assert.equal(await log.check(ids[0]!), 'ok', 'unread events of an open stream stay');
      log.cursor(s, undefined).delivered(ids[5]!);
      await log.append(s, '7');
      assert.equal(await log.check(ids[0]!), 'expired');
      assert.equal(await log.check(ids[4]!), 'ok', 'the id just before the window');
      assert.deepEqual(await readNow(log.cursor(s, ids[4])), ['6', '7']);
      await assert.rejects(log.cursor(s, ids[0]).next(), EventsLostError);
    });

    test('byte bounds: per stream, and over all streams (ended streams first, then delivered events); unread events of an open stream stay', async () => {
      const { log } = await open(options({ maxBytes: 30, maxSessionBytes: 100 }));
      const s = await log.openStream();
      const first = (await log.append(s, 'x'.repeat(10)))!;
      for (let i = 0; i < 5; i++) await log.append(s, 'y'.repeat(10));
      assert.equal(await log.check(first), 'ok', 'nothing was read yet: nothing goes');
      await log.end(s); // ended: what it holds may now go to the bounds
      const t = await log.openStream();
      await log.append(t, 'w'.repeat(10));
      assert.equal(await log.check(first), 'expired', 'an ended stream gives way');
      const streams: string[] = [];
      for (let i = 0; i < 20; i++) {
        const u = await log.openStream();
        streams.push((await log.append(u, 'z'.repeat(20)))!);
        await log.end(u);
      }
      assert.equal(await log.check(streams[0]!), 'expired', 'an old stream answers too late, never a gap');
      assert.equal(await log.check(streams.at(-1)!), 'ok');
      assert.deepEqual(await readNow(log.cursor(t, undefined)), ['w'.repeat(10)], 'the open stream kept its unread event');
    });

    test('age bound, with a fake clock: events older than maxAgeMs go', async () => {
      const { log, clock } = await open(options({ maxAgeMs: 1000 }));
      const s = await log.openStream();
      const old = (await log.append(s, '1'))!;
      clock.advance(100);
      await log.append(s, '2');
      clock.advance(1500);
      const last = (await log.append(s, '3'))!;
      assert.equal(await log.check(old), 'expired', 'the client saw 1; 2 is gone: a gap is refused');
      await assert.rejects(log.cursor(s, old).next(), EventsLostError);
      assert.equal(await log.check(last), 'ok');
    });

    test('a lossy stream (no producer waits on it) gives its unread events to the count bound, oldest first', async () => {
      const { log } = await open(options({ maxEvents: 3 }));
      const s = await log.openStream({ lossy: true });
      const ids: string[] = [];
      for (let i = 1; i <= 6; i++) ids.push((await log.append(s, String(i)))!);
      assert.equal(await log.check(ids[0]!), 'expired');
      assert.deepEqual(await readNow(log.cursor(s, ids[2])), ['4', '5', '6']);
    });

    test('stream bound: ended streams go, the oldest first; open streams are never dropped for it', async () => {
      const { log } = await open(options({ maxStreams: 2 }));
      const a = await log.openStream();
      const idA = (await log.append(a, 'a'))!;
      const b = await log.openStream();
      const idB = (await log.append(b, 'b'))!;
      await log.end(b);
      await log.openStream();
      assert.equal(await log.check(idB), 'expired', 'the ended stream went');
      assert.equal(await log.check(idA), 'ok');
      await log.openStream(); // over the bound: every stream is open
      assert.deepEqual(await readNow(log.cursor(a, undefined)), ['a'], 'an open stream keeps its events');
    });

    test('a shared stream is opened once: the same name gives the same stream while it is held', async () => {
      const { log } = await open();
      const a = await log.openStream({ lossy: true, shared: 'standalone' });
      assert.equal(await log.openStream({ lossy: true, shared: 'standalone' }), a);
      assert.notEqual(await log.openStream(), a);
      await log.clear();
      const b = await log.openStream({ lossy: true, shared: 'standalone' });
      await log.append(b, 'fresh');
      assert.deepEqual(await readNow(log.cursor(b, undefined)), ['fresh']);
    });

    test('ids: malformed ones are told apart from expired ones; ids are never reused', async () => {
      const { log } = await open();
      const s = await log.openStream();
      const one = (await log.append(s, '1'))!;
      const two = (await log.append(s, '2'))!;
      assert.notEqual(one, two);
      assert.equal(await log.check('garbage'), 'malformed');
      assert.equal(await log.check('nostream_0'), 'expired');
      const t = await log.openStream();
      const three = (await log.append(t, '3'))!;
      assert.ok(![one, two].includes(three));
    });

    test('without keepDelivered, delivered events are gone (nothing resumes) and unread ones stay', async () => {
      const { log } = await open(options({}, 1 << 20, { keepDelivered: false }));
      const s = await log.openStream();
      const cursor = log.cursor(s, undefined);
      const one = (await log.append(s, '1'))!;
      await log.append(s, '2');
      assert.equal((await cursor.next())!.id, one);
      cursor.delivered(one);
      await assert.rejects(log.cursor(s, undefined).next(), EventsLostError, 'the delivered event is gone');
      assert.deepEqual(await readNow(cursor), ['2']);
    });

    test('clear releases waiting producers and cursors', async () => {
      const { log } = await open(options({}, 4));
      const s = await log.openStream();
      await log.append(s, 'full!');
      const producer = log.append(s, 'held', { wait: true });
      const cursor = log.cursor(s, undefined);
      await cursor.next();
      const waiting = cursor.next();
      await log.clear();
      assert.equal(await producer, undefined);
      await assert.rejects(waiting, EventsLostError);
    });
  });
}
