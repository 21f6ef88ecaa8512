/**
 * Issue 9, padding: bytes nobody reads, that every node would store and relay. Each
 * order-event kind is declared exactly (known keys only, a byte bound per kind), so a
 * padded event is refused by every node with BAD_EVENT, never relayed, never kept —
 * and a padded accept never makes its owner publish a confirm too large to fit a frame.
 *
 * Victim V (owner of an honest sell), honest neighbours B and C, all linked; a spy peer
 * on V records every byte V sends. A key added inside `data` is the app's refusal (the
 * link stays, penalised); a key added to the envelope breaks the wire's body rule (the
 * link is closed).
 */
import type { Exchange } from '../../src/exchange/exchange';
import { KIND } from '../../src/exchange/events';
import { ErrorCode } from '../../src/wire/errors';
import { map } from '../support/adversary-msgpack';
import { Attacker } from '../support/attacker';
import { BTC, handBody, honestTrade, type HandBody } from '../support/attack-checks';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';

const MB = 1_000_000;
let c: Cluster;
let V: Exchange;
let spy: Attacker;
let sellId: string;
const open: Attacker[] = [];

beforeAll(async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  V = c.nodes[0];
  sellId = (await V.place({ side: 'sell', price: 5_000_000, amount: 1 * BTC })).order!.id;
  await settle(c.nodes);
  spy = await Attacker.connect(V.status().port);
  open.push(spy);
});
afterAll(async () => {
  for (const a of open) a.close();
  await c.close();
});

async function attacker(): Promise<Attacker> {
  const a = await Attacker.connect(V.status().port);
  open.push(a);
  return a;
}

const refused = (code: string): number => V.status().limits?.refused[code] ?? 0;

/** V refused `ev` as BAD_EVENT, relayed none of its bytes, and no node knows or keeps it. */
async function notTaken(a: Attacker, ev: HandBody, before: number): Promise<void> {
  await a.roundTrip(); // V handled the event
  await spy.roundTrip(); // ...and any relay of it would be in the spy's stream by now
  await settle(c.nodes);
  expect(refused('BAD_EVENT')).toBe(before + 1);
  expect(spy.gotBytes(ev.body)).toBe(false);
  for (const n of c.nodes) expect(n.order(ev.id)).toBeNull();
  // Not kept: a peer joining now gets no trace of it in V's book sync.
  const joiner = await Attacker.connect(V.status().port);
  open.push(joiner);
  const synced = await joiner.syncFromVictim();
  expect(synced.map((e) => e.id)).not.toContain(ev.id);
  expect(synced.some((e) => Buffer.from(e.raw.body).length > 10_000)).toBe(false);
}

test.each([
  ['1 MB', MB],
  ['1 byte', 1],
])('an order.add with an extra %s key in its data → BAD_EVENT, not relayed, not kept', async (_name, size) => {
  const a = await attacker();
  const before = refused('BAD_EVENT');
  const ev = handBody(a.identity, Date.now(), KIND.add, map({ side: 'sell', price: 5_000_000, amount: 1 * BTC, pad: Buffer.alloc(size, 0x61) }));
  a.send({ t: 'event', body: ev.body, sig: ev.sig, hops: 0 });
  await notTaken(a, ev, before);
  // The app's refusal: the link stays (penalised), it is not a wire error.
  expect(V.peers().map((p) => p.nodeId)).toContain(a.nodeId);
  expect(V.status().limits?.penalised.map((p) => p.peer)).toContain(a.nodeId);
});

test('an accept of an honest order padded with 1 MB, so its confirm could not fit a frame → BAD_EVENT, no confirm', async () => {
  const a = await attacker();
  const before = refused('BAD_EVENT');
  const ts = Date.now();
  const data = map({ order: sellId, amount: 1_000, deadline: ts + 5_000, pad: Buffer.alloc(MB, 0x61) });
  const ev = handBody(a.identity, ts, KIND.accept, data);
  a.send({ t: 'event', body: ev.body, sig: ev.sig, hops: 0 });
  await notTaken(a, ev, before);
  // The owner answered nothing: no confirm anywhere, the order untouched.
  expect(a.events().filter((e) => e.kind === KIND.confirm)).toEqual([]);
  expect(spy.events().filter((e) => e.kind === KIND.confirm)).toEqual([]);
  for (const n of c.nodes) expect(n.order(sellId)).toMatchObject({ status: 'open', filled: 0 });
});

test('an extra key in the envelope itself breaks the body rule: the link is closed with BAD_EVENT', async () => {
  const a = await attacker();
  const ev = handBody(a.identity, Date.now(), KIND.add, map({ side: 'sell', price: 5_000_000, amount: 1 * BTC }), { append: [['pad', Buffer.alloc(1)]] });
  a.send({ t: 'event', body: ev.body, sig: ev.sig, hops: 0 });
  expect(await a.refusal()).toBe(ErrorCode.BAD_EVENT);
  await spy.roundTrip();
  expect(spy.gotBytes(ev.body)).toBe(false);
  for (const n of c.nodes) expect(n.order(ev.id)).toBeNull();
});

test('after the padding: an honest trade completes and every node ends with the same book', async () => {
  const [v, b, x] = c.nodes;
  await honestTrade([v, b, x], b, x, settle);
  await settle(c.nodes);
  for (const n of c.nodes) expect(n.order(sellId)).toMatchObject({ status: 'open', filled: 0 });
});
