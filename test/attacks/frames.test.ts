/**
 * Issue 9, hostile frames against a real node (victim V, honest neighbours B and C, all
 * linked; a spy peer linked to V records every byte V sends it). Each attacker completes
 * a real handshake with a fresh key, then sends one hand-made frame:
 *
 * - an `event` with hops 2^53−1 or 2^53−2 (int 64): BAD_MESSAGE (hops ≤ 64);
 * - integral floats where the spec says integer — hello.ts, ping.n, peers[].port, hops,
 *   a body's ts, an order's price — duplicate keys, nesting past 16: DECODE_FAILED in a
 *   frame, BAD_EVENT in a signed body.
 *
 * Each time: the attacker gets the documented error frame and is closed; the bytes never
 * reach a neighbour (the spy's raw stream, checked after a round trip that V handles
 * after the bad frame); no node learns the event; V and its neighbours stay up, an honest
 * trade between B and C completes and every honest node ends with the same book.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { once } from 'node:events';
import type { Exchange } from '../../src/exchange/exchange';
import { KIND } from '../../src/exchange/events';
import { Identity } from '../../src/identity/identity';
import { ErrorCode } from '../../src/wire/errors';
import { float, frame, int, map, nest, type Input } from '../support/adversary-msgpack';
import { Attacker } from '../support/attacker';
import { BTC, handBody, honestTrade } from '../support/attack-checks';
import { cluster, mesh, settle, type Cluster } from '../exchange/support/cluster';

let c: Cluster;
let V: Exchange;
let spy: Attacker;
const open: Attacker[] = [];

beforeAll(async () => {
  c = await cluster(3);
  await mesh(c.nodes);
  V = c.nodes[0];
  spy = await Attacker.connect(V.status().port);
  open.push(spy);
});
afterAll(async () => {
  for (const a of open) a.close();
  await c.close();
});

async function attacker(opts: Parameters<typeof Attacker.connect>[1] = {}): Promise<Attacker> {
  const a = await Attacker.connect(V.status().port, opts);
  open.push(a);
  return a;
}

/** A raw TCP client of V: the test writes every byte, hello included. */
async function rawClient(): Promise<Attacker> {
  const socket = tcpConnect({ host: '127.0.0.1', port: V.status().port });
  await once(socket, 'connect');
  const a = Attacker.raw(socket);
  open.push(a);
  return a;
}

/** What a well-formed order.add event frame would carry, for the parts a test keeps. */
const addData = { side: 'sell', price: 5_000_000, amount: 1 * BTC };

/**
 * After the attack: the attacker was refused with `code`, V relayed nothing of `needle`
 * (the spy's stream, after a round trip V handles after the bad frame), no honest node
 * knows `id`, and V is linked to both neighbours still.
 */
async function contained(a: Attacker, code: string, needle: Uint8Array, id: string | null): Promise<void> {
  expect(await a.refusal()).toBe(code);
  await a.closed;
  await spy.roundTrip();
  await settle(c.nodes);
  expect(spy.gotBytes(needle)).toBe(false);
  if (id !== null) for (const n of c.nodes) expect(n.order(id)).toBeNull();
  const linked = V.peers().map((p) => p.nodeId);
  expect(linked).toEqual(expect.arrayContaining([c.nodes[1].nodeId, c.nodes[2].nodeId]));
}

describe('hops past 64 → BAD_MESSAGE, never relayed', () => {
  test.each([
    ['2^53 − 1', 2 ** 53 - 1],
    ['2^53 − 2', 2 ** 53 - 2],
  ])('an event frame with hops = %s', async (_name, hops) => {
    const a = await attacker();
    const ev = a.sign(KIND.add, addData);
    // The frame written by hand: hops as int 64, the widest legal integer.
    a.sendBytes(frame(map({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: int(hops, 'i64') })));
    await contained(a, ErrorCode.BAD_MESSAGE, ev.raw.body, ev.id);
  });
});

describe('integral floats where the spec says integer → DECODE_FAILED (frame) or BAD_EVENT (body)', () => {
  test('hello.ts as float 64', async () => {
    const who = Identity.generate();
    const raw = await rawClient();
    const hello = map({ t: 'hello', v: 1, id: who.publicKey, port: 0, nonce: randomBytes(32), agent: 'x', ts: float(Date.now()) });
    const bytes = frame(hello);
    raw.sendBytes(bytes);
    await contained(raw, ErrorCode.DECODE_FAILED, bytes.subarray(4), null);
  });

  test('ping.n as float 64 (1.0)', async () => {
    const a = await attacker();
    const bytes = frame(map({ t: 'ping', n: float(1) }));
    a.sendBytes(bytes);
    await contained(a, ErrorCode.DECODE_FAILED, bytes.subarray(4), null);
  });

  test('peers[].port as float 32', async () => {
    const a = await attacker();
    const bytes = frame(map({ t: 'peers', peers: [map({ id: randomBytes(32), host: '127.0.0.9', port: float(3001, 32) })] }));
    a.sendBytes(bytes);
    await contained(a, ErrorCode.DECODE_FAILED, bytes.subarray(4), null);
    expect(V.peers().some((p) => p.port === 3001)).toBe(false);
  });

  test('an event frame with hops as float 64 (1.0)', async () => {
    const a = await attacker();
    const ev = a.sign(KIND.add, addData);
    a.sendBytes(frame(map({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: float(1) })));
    await contained(a, ErrorCode.DECODE_FAILED, ev.raw.body, ev.id);
  });

  test.each<[string, (ts: number) => { replace?: Record<string, Input>; data?: Input }]>([
    ['a body ts as float 64', (ts) => ({ replace: { ts: float(ts) } })],
    ['an order price as float 64 (5,000,000.0)', () => ({ data: map({ side: 'sell', price: float(5_000_000), amount: 1 * BTC }) })],
  ])('%s, validly signed', async (_name, make) => {
    const a = await attacker();
    const ts = Date.now();
    const m = make(ts);
    const ev = handBody(a.identity, ts, KIND.add, m.data ?? addData, { replace: m.replace });
    a.send({ t: 'event', body: ev.body, sig: ev.sig, hops: 0 });
    await contained(a, ErrorCode.BAD_EVENT, ev.body, ev.id);
  });
});

describe('duplicate keys and nesting past 16', () => {
  test('a frame with `n` twice → DECODE_FAILED', async () => {
    const a = await attacker();
    const bytes = frame(map([['t', 'ping'], ['n', 1], ['n', 2]]));
    a.sendBytes(bytes);
    await contained(a, ErrorCode.DECODE_FAILED, bytes.subarray(4), null);
  });

  test('a signed body whose data has `price` twice → BAD_EVENT', async () => {
    const a = await attacker();
    const data = map([['side', 'sell'], ['price', 5_000_000], ['amount', 1 * BTC], ['price', 1]]);
    const ev = handBody(a.identity, Date.now(), KIND.add, data);
    a.send({ t: 'event', body: ev.body, sig: ev.sig, hops: 0 });
    await contained(a, ErrorCode.BAD_EVENT, ev.body, ev.id);
  });

  test('a frame nested 17 deep → DECODE_FAILED', async () => {
    const a = await attacker();
    // The frame's map is depth 1; 16 arrays inside it make 17.
    const bytes = frame(map({ t: 'ping', n: 1, x: nest(16, 0) }));
    a.sendBytes(bytes);
    await contained(a, ErrorCode.DECODE_FAILED, bytes.subarray(4), null);
  });

  test('a signed body nested 17 deep → BAD_EVENT', async () => {
    const a = await attacker();
    // The body is depth 1, data depth 2: 15 arrays inside data make 17.
    const ev = handBody(a.identity, Date.now(), KIND.add, map({ ...addData, x: nest(15, 0) }));
    a.send({ t: 'event', body: ev.body, sig: ev.sig, hops: 0 });
    await contained(a, ErrorCode.BAD_EVENT, ev.body, ev.id);
  });
});

test('after every attack: V and its neighbours are up, an honest trade completes, the books are equal', async () => {
  const [v, b, x] = c.nodes;
  await honestTrade([v, b, x], b, x, settle);
  expect(v.peers().length).toBeGreaterThanOrEqual(2);
});

