/**
 * Bytes a node keeps own their memory (src/wire/own-bytes.ts): an event decoded from a
 * frame, or signed here, must not hold a view into the frame, Node's shared 8 KiB pool
 * or msgpackr's reusable buffer — a kept 64-byte signature would pin the whole block.
 */
import { decodeEvent, signEvent } from '../../src/gossip/event';
import { Identity } from '../../src/identity/identity';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame';
import type { EventMsg } from '../../src/wire/messages';
import { ownBytes, ownPair } from '../../src/wire/own-bytes';

const id = Identity.generate();
const random = new Uint8Array(16).fill(7);

test('ownBytes and ownPair copy into an allocation of exactly their size', () => {
  const pooled = Buffer.from('a small buffer cut from the shared pool');
  expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length); // the premise
  const own = ownBytes(pooled);
  expect(own.equals(pooled)).toBe(true);
  expect(own.buffer.byteLength).toBe(pooled.length);
  const [a, b] = ownPair(Buffer.from('body'), Buffer.from('sig!'));
  expect([a.toString(), b.toString()]).toEqual(['body', 'sig!']);
  expect(a.buffer).toBe(b.buffer);
  expect(a.buffer.byteLength).toBe(8);
});

test('an event signed here does not keep msgpackr’s buffer alive', () => {
  const ev = signEvent(id, 'order.add', { side: 'buy', price: 100, amount: 1 }, 1_700_000_000_000, random);
  expect(ev.raw.body.buffer.byteLength).toBe(ev.raw.body.length);
});

test('an event read from a frame keeps neither the frame nor a pool block', () => {
  const ev = signEvent(id, 'order.add', { side: 'buy', price: 100, amount: 1 }, 1_700_000_000_000, random);
  const frame = encodeFrame({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: 0 });
  const [msg] = [...new FrameDecoder().push(Buffer.concat([frame, Buffer.alloc(0)]))] as EventMsg[];
  expect(msg.body.buffer).toBe(msg.sig.buffer); // views into the frame's bytes
  const got = decodeEvent(msg.body, msg.sig, 0);
  expect(got.id).toBe(ev.id);
  expect(Buffer.compare(got.raw.body, ev.raw.body) === 0 && Buffer.compare(got.raw.sig, ev.raw.sig) === 0).toBe(true);
  expect(got.raw.body.buffer).not.toBe(msg.body.buffer);
  expect(got.raw.body.buffer.byteLength).toBe(ev.raw.body.length + ev.raw.sig.length);
});
