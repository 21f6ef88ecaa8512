/**
 * The relay shaper sends each peer at most what that peer's link budget takes (a little
 * under it), queues the rest per link and class, and drains it as the budget refills.
 */
import { ManualClock } from '../../src/clock/manual-clock';
import { TokenBucket } from '../../src/limits/token-bucket';
import { MAX_QUEUED_BYTES, RelayShaper, shaped } from '../../src/net/relay-shaper';

const RATE = { tokens: 10, perMs: 1000, burst: 100 };

test('a burst beyond the link budget is queued and drained at its rate; the receiver\'s bucket never refuses any of it', async () => {
  const clock = new ManualClock({ start: 0 });
  const receiver = new TokenBucket(RATE); // what the peer charges this link
  let refused = 0;
  let got = 0;
  const shaper = new RelayShaper(clock, { order: RATE }, (_peer, _frame) => {
    if (receiver.take(1, clock.now())) got++;
    else refused++;
    return true;
  });
  for (let i = 0; i < 500; i++) shaper.offer('p', 'order', Buffer.alloc(10));
  expect(got).toBe(shaped(RATE).burst); // 90: its share of the burst at once
  expect(shaper.queued).toBe(500 - 90);
  const drained = shaper.drained();
  await clock.advance(60_000);
  await drained;
  expect(got).toBe(500);
  expect(refused).toBe(0);
  expect(shaper.queued).toBe(0);
});

test('classes are paced apart: a queue of orders does not hold back an accept', () => {
  const clock = new ManualClock({ start: 0 });
  const sent: string[] = [];
  const shaper = new RelayShaper(clock, { order: RATE, accept: RATE }, (_p, f) => {
    sent.push(f.toString());
    return true;
  });
  for (let i = 0; i < 200; i++) shaper.offer('p', 'order', Buffer.from('o'));
  shaper.offer('p', 'accept', Buffer.from('a'));
  expect(sent.filter((x) => x === 'a')).toHaveLength(1);
  shaper.close();
  expect(clock.pending).toBe(0);
});

test('a link\'s queue is bounded in bytes: past it frames are dropped and counted; a closed link\'s queue is released', () => {
  const clock = new ManualClock({ start: 0 });
  const shaper = new RelayShaper(clock, { order: { tokens: 1, perMs: 1000, burst: 1 } }, () => true);
  const big = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 6; i++) shaper.offer('p', 'order', big);
  expect(shaper.dropped).toBe(6 - 1 - Math.floor(MAX_QUEUED_BYTES / big.length));
  shaper.forget('p');
  expect(shaper.queued).toBe(0);
  expect(clock.pending).toBe(0);
});

test('our own events go ahead of relays waiting for the link budget, and are never dropped for the byte cap', async () => {
  const clock = new ManualClock({ start: 0 });
  const sent: string[] = [];
  const shaper = new RelayShaper(clock, { order: RATE }, (_p, f) => {
    sent.push(f.subarray(0, 1).toString());
    return true;
  });
  // A relayed flood fills the budget and the queue (to the byte cap: the last ones are dropped).
  const relay = Buffer.alloc(64 * 1024, 'r');
  for (let i = 0; i < 200; i++) shaper.offer('p', 'order', relay);
  expect(shaper.dropped).toBeGreaterThan(0);
  const dropped = shaper.dropped;
  expect(sent.filter((x) => x === 'r')).toHaveLength(shaped(RATE).burst);
  // Ours, offered after the flood: queued past the cap, and sent first as the budget refills.
  for (let i = 0; i < 3; i++) expect(shaper.offer('p', 'order', Buffer.from('own'), true)).toBe(true);
  expect(shaper.dropped).toBe(dropped);
  const before = sent.length;
  await clock.advance(350); // three tokens at 9 a second
  expect(sent.slice(before)).toEqual(['o', 'o', 'o']);
  await clock.advance(1000);
  expect(sent.slice(before + 3).every((x) => x === 'r')).toBe(true);
  shaper.close();
  expect(clock.pending).toBe(0);
});
