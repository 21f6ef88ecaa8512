import { Duplex } from 'node:stream';
import { FrameWriter } from '../../src/peer/writer';

/** A stream that accepts writes but never finishes them: a peer that stopped reading. */
function stalled() {
  const pending: Array<() => void> = [];
  const stream = new Duplex({
    read() {},
    write(_chunk, _enc, cb) {
      pending.push(() => cb());
    },
  });
  return { stream, drainOne: () => pending.shift()?.() };
}

test('counts unwritten bytes and refuses, reporting overflow, past the bound', () => {
  const { stream } = stalled();
  let overflows = 0;
  const w = new FrameWriter(stream, 100, () => overflows++);
  expect(w.write(Buffer.alloc(60))).toBe(true);
  expect(w.write(Buffer.alloc(40))).toBe(true);
  expect(w.bytesQueued).toBe(100);
  expect(w.write(Buffer.alloc(1))).toBe(false);
  expect(overflows).toBe(1);
  expect(w.bytesQueued).toBe(100); // the refused frame holds no memory
});

test('waitQueuedBelow resolves as the stream writes out, and on release', async () => {
  const { stream, drainOne } = stalled();
  const w = new FrameWriter(stream, 1000, () => {});
  w.write(Buffer.alloc(300));
  w.write(Buffer.alloc(300));
  let half = false;
  let all = false;
  const p1 = w.waitQueuedBelow(300).then(() => (half = true));
  const p2 = w.waitQueuedBelow(0).then(() => (all = true));
  drainOne();
  await p1;
  expect([half, all]).toEqual([true, false]);
  w.release();
  await p2;
  expect(w.bytesQueued).toBe(0);
  expect(w.write(Buffer.alloc(1))).toBe(false); // released: nothing more goes out
  stream.destroy();
});
