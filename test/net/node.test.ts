import { statSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import { signEvent } from '../support/sign';
import { Identity, KEY_FILE } from '../../src/identity/identity';
import { ConnectError, GossipEvent, NetNode, PeerView, RawEvent } from '../../src/net/node';
import { ErrorCode } from '../../src/wire/errors';
import { FAST, tempDir } from './support/cluster';
import { RawPeer } from './support/raw-peer';
import { next, waitUntil } from './support/wait';

const open: NetNode[] = [];
/** A bare node; `syncSource` stands in for an app's book (every event is taken). */
const start = async (o: Parameters<typeof NetNode.start>[0] & { syncSource?: () => RawEvent[] } = {}) => {
  const { syncSource, ...opts } = o;
  const n = NetNode.create({ ...FAST, ...opts });
  if (syncSource) n.setApp({ receive: () => null, conflict: () => null, syncSource });
  await n.start();
  open.push(n);
  return n;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

async function rawTo(node: NetNode): Promise<RawPeer> {
  const socket = tcpConnect({ host: '127.0.0.1', port: node.port });
  await next(socket, 'connect');
  return new RawPeer(socket);
}

test('identity: created in the data dir on first start (mode 0600), the same after a restart', async () => {
  const dir = tempDir();
  try {
    const a = await NetNode.start({ dataDir: dir.path });
    const id = a.nodeId;
    await a.close();
    expect(statSync(join(dir.path, KEY_FILE)).mode & 0o777).toBe(0o600);
    const b = await NetNode.start({ dataDir: dir.path });
    expect(b.nodeId).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await b.close();
  } finally {
    dir.remove();
  }
});

test('connect: resolves with the peer after the handshake; a second connect resolves with the same link', async () => {
  const a = await start();
  const b = await start();
  const p = await a.connect('127.0.0.1', b.port);
  expect(p).toMatchObject({ nodeId: b.nodeId, host: '127.0.0.1', port: b.port, direction: 'outbound' });
  const again = await a.connect('127.0.0.1', b.port);
  expect(again.nodeId).toBe(b.nodeId);
  await waitUntil([a, b], ['peer', 'peer-closed'], () => a.peers().length === 1 && b.peers().length === 1);
  expect(b.peers()[0]).toMatchObject({ nodeId: a.nodeId, port: a.port, direction: 'inbound' });
});

test('connect: coded rejections for a closed port and for oneself', async () => {
  const a = await start();
  const gone = await start();
  const port = gone.port;
  await gone.close();
  await expect(a.connect('127.0.0.1', port)).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
  const self = a.connect('127.0.0.1', a.port);
  await expect(self).rejects.toBeInstanceOf(ConnectError);
  await expect(self).rejects.toMatchObject({ code: ErrorCode.SELF_CONNECTION });
  expect(a.peers()).toEqual([]);
});

test('book sync: a joining node receives every event of the other side’s batch, split under the frame limit', async () => {
  const alice = Identity.generate();
  // Older than the seen window: book state, handed over as sync events only.
  const old = Date.now() - 60 * 60_000;
  const book: RawEvent[] = Array.from({ length: 300 }, (_, i) => signEvent(alice, 'order.add', { i, pad: 'x'.repeat(1000) }, old).raw);
  const a = await start({ maxFrameBytes: 64 * 1024, maxWriteBufferBytes: 128 * 1024, syncSource: () => book });
  const b = await start({ maxFrameBytes: 64 * 1024, maxWriteBufferBytes: 128 * 1024 });
  const synced: GossipEvent[] = [];
  const gossiped: GossipEvent[] = [];
  b.on('sync-event', (ev: GossipEvent) => synced.push(ev));
  b.on('event', (ev: GossipEvent) => gossiped.push(ev));
  const bDone = next<[PeerView, number]>(b, 'sync-done');
  const aDone = next<[PeerView, number]>(a, 'sync-done');
  await b.connect('127.0.0.1', a.port);
  const [from, count] = await bDone;
  expect(from.nodeId).toBe(a.nodeId);
  expect(count).toBe(300);
  expect(synced.map((e) => e.data.i)).toEqual(book.map((_, i) => i));
  expect(synced[0].origin).toBe(alice.nodeId);
  expect(gossiped).toEqual([]); // too old to be gossip: not emitted as 'event', not relayed
  expect((await aDone)[1]).toBe(0); // an empty book still ends with done
  expect(a.stats().syncEventsOut).toBe(300);
  // 300 KB of events under a 64 KiB limit took several frames
  expect(b.stats().framesIn).toBeGreaterThan(5);
});

test('book sync: events new to the receiver and inside the window are adopted as gossip and relayed on', async () => {
  const alice = Identity.generate();
  const fresh: RawEvent[] = [0, 1, 2].map((i) => signEvent(alice, 'order.add', { i }, Date.now()).raw);
  const a = await start({ syncSource: () => fresh });
  const b = await start();
  const c = await start();
  await c.connect('127.0.0.1', b.port);
  const atB: GossipEvent[] = [];
  const atC: GossipEvent[] = [];
  const syncedAtB: GossipEvent[] = [];
  b.on('event', (ev: GossipEvent) => atB.push(ev));
  b.on('sync-event', (ev: GossipEvent) => syncedAtB.push(ev));
  c.on('event', (ev: GossipEvent) => atC.push(ev));
  const bDone = next<[PeerView, number]>(b, 'sync-done');
  await b.connect('127.0.0.1', a.port);
  await bDone;
  await b.roundTrip(); // c has handled what b relayed
  expect(atB.map((e) => e.data.i)).toEqual([0, 1, 2]);
  expect(syncedAtB).toEqual([]);
  expect(atC.map((e) => e.data.i)).toEqual([0, 1, 2]);
  // A second sync of the same events (a new link) changes nothing: seen already.
  expect(b.stats().eventsIn).toBe(3);
});

test('book sync: a forged event in a batch → BAD_SIGNATURE and disconnect, nothing of that batch delivered', async () => {
  const a = await start();
  const synced: GossipEvent[] = [];
  a.on('sync-event', (ev: GossipEvent) => synced.push(ev));
  const raw = await rawTo(a);
  await raw.handshake(Identity.generate());
  const good = signEvent(Identity.generate(), 'order.add', {}, Date.now()).raw;
  const forged = { body: good.body, sig: Buffer.alloc(64, 1) };
  raw.send({ t: 'sync', events: [good, forged], done: true });
  expect((await raw.nextOf('error'))?.code).toBe(ErrorCode.BAD_SIGNATURE);
  await raw.closed;
  expect(synced).toEqual([]);
});

test('a second sync after done → UNEXPECTED_MESSAGE', async () => {
  const a = await start();
  const raw = await rawTo(a);
  await raw.handshake(Identity.generate());
  raw.send({ t: 'sync', events: [], done: true });
  raw.send({ t: 'sync', events: [], done: true });
  expect((await raw.nextOf('error'))?.code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
});

test('maxInbound: a newcomer that completes its handshake when nobody is evictable is refused with TOO_MANY_PEERS', async () => {
  const a = await start({ maxInbound: 1 });
  const first = await rawTo(a);
  await first.handshake(Identity.generate());
  // Its handshake in progress holds no peer slot; completing it asks for one. The only
  // inbound peer is the oldest of its network group: protected, so the newcomer is refused.
  const second = await rawTo(a);
  await second.handshake(Identity.generate());
  expect((await second.nextOf('error'))?.code).toBe(ErrorCode.TOO_MANY_PEERS);
  await second.closed;
  expect(a.peers()).toHaveLength(1);
  expect(a.stats()).toMatchObject({ refusedFull: 1, evicted: 0 });
  first.destroy();
});

test('keepalive: a peer that answers pings stays; one that goes silent is dropped with IDLE_TIMEOUT', async () => {
  const a = await start({ pingIntervalMs: 20, idleTimeoutMs: 200 });
  const raw = await rawTo(a);
  await raw.handshake(Identity.generate());
  for (let i = 0; i < 5; i++) {
    const ping = await raw.nextOf('ping');
    raw.send({ t: 'pong', n: ping!.n });
  }
  expect(a.peers()).toHaveLength(1);
  // Now silent: no pongs, nothing.
  expect((await raw.nextOf('error'))?.code).toBe(ErrorCode.IDLE_TIMEOUT);
  await raw.closed;
  expect(a.peers()).toHaveLength(0);
});

/** Reads what the node sends, answering each ping with `reply(n)`, until its error frame (or close). */
async function answerPingsUntilError(raw: Awaited<ReturnType<typeof rawTo>>, reply: (n: number) => Record<string, unknown>): Promise<string | undefined> {
  for (;;) {
    const msg = await raw.next();
    if (msg === null) return undefined;
    if (msg.t === 'error') return msg.code;
    if (msg.t === 'ping') raw.send(reply(msg.n));
  }
}

test('keepalive: a peer that keeps talking but never answers pings is dropped with IDLE_TIMEOUT', async () => {
  const a = await start({ pingIntervalMs: 20, idleTimeoutMs: 200 });
  const raw = await rawTo(a);
  await raw.handshake(Identity.generate());
  // Answer each ping with a ping of our own (traffic, but never a pong): the idle
  // count resets every time, the unanswered-ping count does not.
  const error = await answerPingsUntilError(raw, (n) => ({ t: 'ping', n }));
  expect(error).toBe(ErrorCode.IDLE_TIMEOUT);
  await raw.closed;
  expect(a.peers()).toHaveLength(0);
});

test('keepalive: pongs that answer no ping of ours do not count; roundTrip() ends when the peer is dropped', async () => {
  const a = await start({ pingIntervalMs: 20, idleTimeoutMs: 200 });
  const raw = await rawTo(a);
  await raw.handshake(Identity.generate());
  await waitUntil([a], ['peer'], () => a.peers().length === 1);
  const trip = a.roundTrip();
  const error = await answerPingsUntilError(raw, (n) => ({ t: 'pong', n: n + 1_000_000 })); // never the right n
  await trip;
  expect(error).toBe(ErrorCode.IDLE_TIMEOUT);
  await raw.closed;
  expect(a.peers()).toHaveLength(0);
});

test('a peer that does not read is dropped (SLOW_READER) once our unsent bytes pass the bound', async () => {
  const a = await start({ maxFrameBytes: 1024 * 1024, maxWriteBufferBytes: 2 * 1024 * 1024 });
  const raw = await rawTo(a);
  await raw.handshake(Identity.generate());
  await waitUntil([a], ['peer'], () => a.peers().length === 1);
  raw.stream.pause(); // stops reading: the kernel buffers fill, then our queue grows
  const closed = next<[PeerView, string]>(a, 'peer-closed');
  let reason: string | null = null;
  closed.then(([, r]) => (reason = r));
  const blob = Buffer.alloc(256 * 1024, 7);
  for (let i = 0; i < 400 && reason === null; i++) {
    a.publish('test.blob', { blob });
    await new Promise<void>((r) => setImmediate(r));
  }
  expect((await closed)[1]).toBe(ErrorCode.SLOW_READER);
  expect(a.stats().bytesQueued).toBe(0);
  raw.destroy();
});

test('roundTrip: resolves once every peer has handled what was sent before it', async () => {
  const a = await start();
  const b = await start();
  await a.connect('127.0.0.1', b.port);
  await waitUntil([b], ['peer'], () => b.peers().length === 1);
  const got: string[] = [];
  b.on('event', (ev: GossipEvent) => got.push(ev.id));
  const ids = Array.from({ length: 20 }, (_, i) => a.publish('test.n', { i }).id);
  await a.roundTrip();
  expect(got).toEqual(ids);
});

test('close() releases everything and is idempotent', async () => {
  const a = await NetNode.start(FAST);
  const b = await NetNode.start(FAST);
  await a.connect('127.0.0.1', b.port);
  const closed = next<[PeerView, string]>(b, 'peer-closed');
  await Promise.all([a.close(), a.close()]);
  expect((await closed)[1]).toBe(ErrorCode.SHUTDOWN);
  await b.close();
  await expect(a.connect('127.0.0.1', b.port)).rejects.toMatchObject({ code: 'CLOSED' });
});
