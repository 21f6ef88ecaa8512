import { randomBytes } from 'node:crypto';
import { Identity } from '../../src/identity/identity';
import type { PeerConnection } from '../../src/peer/connection';
import { makeAuth, makeHello } from '../../src/peer/handshake';
import { PeerManager } from '../../src/peer/manager';
import { ErrorCode } from '../../src/wire/errors';
import { memoryManager } from './support/config';
import { duplexPair } from './support/duplex-pair';
import { RawPeer } from './support/raw-peer';
import { next, waitUntil } from './support/wait';

const managers: PeerManager[] = [];
const manager = (o: Parameters<typeof memoryManager>[0] = {}) => {
  const m = memoryManager(o);
  managers.push(m);
  return m;
};
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** A manager with one raw peer plugged into it as an inbound connection. */
function rawInbound(m: PeerManager): { raw: RawPeer; conn: PeerConnection } {
  const [ours, theirs] = duplexPair();
  const conn = m.attach(ours, 'inbound', '10.0.0.9', 40000);
  return { raw: new RawPeer(theirs), conn };
}

/** Expects an error frame with `code`, then the stream closing. */
async function refusedWith(raw: RawPeer, code: string): Promise<void> {
  const err = await raw.nextOf('error');
  expect(err?.code).toBe(code);
  await raw.closed;
}

test('success: both sides complete the handshake and learn each other’s verified id', async () => {
  const a = manager();
  const b = manager();
  const [s1, s2] = duplexPair();
  const opened = Promise.all([next<[PeerConnection]>(a, 'peer'), next<[PeerConnection]>(b, 'peer')]);
  a.attach(s1, 'outbound', '10.0.0.2', 4000);
  b.attach(s2, 'inbound', '10.0.0.1', 55555);
  const [[ca], [cb]] = await opened;
  expect(ca.remoteId).toBe(b.cfg.identity.nodeId);
  expect(cb.remoteId).toBe(a.cfg.identity.nodeId);
  expect(ca.direction).toBe('outbound');
  expect(cb.direction).toBe('inbound');
  expect(a.peers()).toEqual([ca]);
});

test('ping round trips are measured (eviction protects the fastest): Infinity before the first pong, then the fastest seen', async () => {
  const a = manager();
  const b = manager();
  const [s1, s2] = duplexPair();
  const opened = next<[PeerConnection]>(a, 'peer');
  const ca = a.attach(s1, 'outbound', '10.0.0.2', 4000);
  b.attach(s2, 'inbound', '10.0.0.1', 55555);
  await opened;
  expect(ca.minPingMs).toBe(Infinity);
  await ca.roundTrip();
  expect(Number.isFinite(ca.minPingMs) && ca.minPingMs >= 0).toBe(true);
});

test('the raw peer’s honest handshake is accepted (the helper is sound)', async () => {
  const m = manager();
  const { raw } = rawInbound(m);
  const opened = next(m, 'peer');
  await raw.handshake(Identity.generate());
  await opened;
  expect(m.peers()).toHaveLength(1);
});

test('wrong version → BAD_VERSION error frame and close', async () => {
  const { raw } = rawInbound(manager());
  raw.send({ ...(validHello()), v: 2 });
  await refusedWith(raw, ErrorCode.BAD_VERSION);
});

test('bad proof → BAD_PROOF', async () => {
  const m = manager();
  const { raw } = rawInbound(m);
  const theirs = validHello();
  raw.send({ ...theirs, id: Identity.generate().publicKey });
  await raw.nextOf('hello');
  raw.send({ t: 'auth', sig: Buffer.alloc(64, 7) });
  await refusedWith(raw, ErrorCode.BAD_PROOF);
  expect(m.peers()).toHaveLength(0);
});

test('a proof signed with another key (a replayed auth) → BAD_PROOF', async () => {
  const { raw } = rawInbound(manager());
  const claimed = Identity.generate();
  const real = Identity.generate();
  const hello = validHello();
  raw.send({ ...hello, id: claimed.publicKey, nonce: Buffer.alloc(32, 1) });
  const ours = await raw.nextOf('hello');
  expect(ours).not.toBeNull();
  raw.send(makeAuth(real, ours!));
  await refusedWith(raw, ErrorCode.BAD_PROOF);
});

test('no hello before the (injected, short) timeout → HANDSHAKE_TIMEOUT', async () => {
  const { raw } = rawInbound(manager({ handshakeTimeoutMs: 30 }));
  expect((await raw.next())?.t).toBe('hello'); // ours; we stay silent
  await refusedWith(raw, ErrorCode.HANDSHAKE_TIMEOUT);
});

test('the acceptor signs nothing for a socket that says hello and never authenticates: hello, then only the timeout', async () => {
  const { raw } = rawInbound(manager({ handshakeTimeoutMs: 30 }));
  raw.send(validHello());
  expect((await raw.next())?.t).toBe('hello');
  // No auth of ours in between: the next frame is the refusal.
  expect((await raw.next())?.t).toBe('error');
  await raw.closed;
  expect(raw.received).toEqual([]);
});

test('a proof relayed from another node is refused: M cannot pass A\'s auth to B as A\'s link (the proof names its verifier)', async () => {
  const a = manager();
  const b = manager();
  const m = Identity.generate();
  // M dials B claiming A's id; B answers with its hello and nonce.
  const toB = rawInbound(b).raw;
  toB.send({ ...makeHello(a.cfg.identity, 0, 'raw', Date.now(), randomBytes(32)) });
  const helloB = await toB.nextOf('hello');
  // M dials A as itself, with B's nonce in its hello, and authenticates honestly: A then proves itself over B's nonce.
  const toA = rawInbound(a).raw;
  toA.send(makeHello(m, 0, 'raw', Date.now(), Buffer.from(helloB!.nonce)));
  const helloA = await toA.nextOf('hello');
  toA.send(makeAuth(m, helloA!));
  const authA = await toA.nextOf('auth');
  expect(authA).not.toBeNull();
  // A's proof over B's nonce, passed on to B: it was made for M, so B refuses it.
  toB.send(authA!);
  await refusedWith(toB, ErrorCode.BAD_PROOF);
  expect(b.peers()).toHaveLength(0);
  toA.destroy();
});

test('anything but hello first → UNEXPECTED_MESSAGE', async () => {
  const { raw } = rawInbound(manager());
  raw.send({ t: 'ping', n: 1 });
  await refusedWith(raw, ErrorCode.UNEXPECTED_MESSAGE);
});

test('a clock beyond the bound → CLOCK_SKEW', async () => {
  const { raw } = rawInbound(manager({ maxClockSkewMs: 30_000 }));
  raw.send({ ...(validHello()), ts: Date.now() + 31_000 });
  await refusedWith(raw, ErrorCode.CLOCK_SKEW);
});

test('self-connection: both ends refuse with SELF_CONNECTION and no peer is announced', async () => {
  const m = manager();
  const announced: unknown[] = [];
  m.on('peer', (c) => announced.push(c));
  const [s1, s2] = duplexPair();
  const out = m.attach(s1, 'outbound', '127.0.0.1', 4000);
  const inn = m.attach(s2, 'inbound', '127.0.0.1', 55555);
  const [[i1], [i2]] = await Promise.all([next<[{ code: string }]>(out, 'close'), next<[{ code: string }]>(inn, 'close')]);
  expect(i1.code).toBe(ErrorCode.SELF_CONNECTION);
  expect(i2.code).toBe(ErrorCode.SELF_CONNECTION);
  await Promise.all([out.released, inn.released]);
  expect(announced).toEqual([]);
  expect(m.peers()).toEqual([]);
});

test('simultaneous dial of two nodes → exactly one connection each side, the same one', async () => {
  const a = manager();
  const b = manager();
  // Two links at once: a→b and b→a.
  const [ab1, ab2] = duplexPair();
  const [ba1, ba2] = duplexPair();
  const conns = [
    a.attach(ab1, 'outbound', '10.0.0.2', 4000),
    b.attach(ab2, 'inbound', '10.0.0.1', 50001),
    b.attach(ba1, 'outbound', '10.0.0.1', 4000),
    a.attach(ba2, 'inbound', '10.0.0.2', 50002),
  ];
  // Settled when one link is closed at both ends and the other open at both.
  const settled = () => {
    const open = conns.filter((c) => c.state === 'open');
    return open.length === 2 && conns.filter((c) => c.isClosed()).length === 2;
  };
  await waitUntil([...conns, a, b], ['open', 'close', 'peer', 'peer-closed'], settled, () => conns.map((c) => c.state).join());
  await Promise.all(conns.filter((c) => c.isClosed()).map((c) => c.released));
  expect(a.peers()).toHaveLength(1);
  expect(b.peers()).toHaveLength(1);
  // The survivor is the link dialled by the smaller node id, on both sides.
  const aDialledWins = a.cfg.identity.nodeId < b.cfg.identity.nodeId;
  expect(a.peers()[0].direction).toBe(aDialledWins ? 'outbound' : 'inbound');
  expect(b.peers()[0].direction).toBe(aDialledWins ? 'inbound' : 'outbound');
  const survivor = aDialledWins ? [conns[0], conns[1]] : [conns[2], conns[3]];
  expect(survivor.every((c) => c.state === 'open')).toBe(true);
  const losers = conns.filter((c) => !survivor.includes(c));
  expect(losers.map((c) => c.closeInfo?.code)).toContain(ErrorCode.DUPLICATE_CONNECTION);
});

test('a second connection from an already connected node is closed as DUPLICATE_CONNECTION', async () => {
  const m = manager();
  const id = Identity.generate();
  const first = rawInbound(m);
  await first.raw.handshake(id);
  await waitUntil([m], ['peer'], () => m.peers().length === 1);
  const second = rawInbound(m);
  await second.raw.handshake(id);
  // Same dialler (the raw node) on both: the tie-break goes by the dialler's nonce, so
  // one of the two closes; exactly one stays.
  await Promise.race([first.raw.closed, second.raw.closed]);
  expect(m.peers()).toHaveLength(1);
});

/** A valid hello of a fresh identity, for the test to tweak. */
function validHello() {
  return makeHello(Identity.generate(), 0, 'raw', Date.now(), randomBytes(32));
}
