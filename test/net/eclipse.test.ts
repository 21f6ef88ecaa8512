/**
 * Issue 11's eclipse attacks on a real node's outbound side, on loopback: the attacker
 * talks from 127.0.2.1, its listeners sit on 127.0.1.1, the honest node on 127.0.0.3;
 * `netGroup: perHostGroup` makes each host a network group.
 */
import { randomBytes } from 'node:crypto';
import { Identity } from '../../src/identity/identity';
import { makeHello } from '../../src/peer/handshake';
import { DROP_SCORE, PEERS_FLOOD_WEIGHT } from '../../src/limits/peer-score';
import { ADDR_LEARN_RATE, PEERS_MESSAGE_RATE } from '../../src/peer/addr-relay';
import { NetNode, NetOptions, perHostGroup, type GossipEvent } from '../../src/net/node';
import { ManualClock } from '../../src/clock/manual-clock';
import { realClock } from '../../src/clock/real-clock';
import { tcpTransport } from '../../src/transport/tcp';
import { ErrorCode } from '../../src/wire/errors';
import { CountingTransport, rawFrom } from './support/attacker';
import { FAST } from './support/cluster';
import { MemoryLog } from './support/memory-log';
import type { RawPeer } from './support/raw-peer';
import { next, waitUntil } from './support/wait';

const ATTACKER = '127.0.2.1';
const open: NetNode[] = [];
const raws: RawPeer[] = [];
const start = async (o: NetOptions = {}) => {
  const n = await NetNode.start({ ...FAST, ...o });
  open.push(n);
  return n;
};
afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await Promise.all(open.splice(0).map((n) => n.close()));
});

const linked = (n: NetNode, id: string) => n.peers().some((p) => p.nodeId === id);
const outbound = (n: NetNode) => n.peers().filter((p) => p.direction === 'outbound');

test('listeners an attacker advertises take the free outbound slots, but after a blip the honest link comes back and an honest event gets through', async () => {
  // Neither the honest node nor the attacker's listeners dial anyone: the victim's own
  // outbound choices are all that can link it to the honest node.
  const honest = await start({ host: '127.0.0.3', targetOutbound: 0 });
  const listeners: NetNode[] = [];
  for (let i = 0; i < 8; i++) listeners.push(await start({ host: '127.0.1.1', targetOutbound: 0 }));
  const victim = await start({ netGroup: perHostGroup, peers: [{ host: '127.0.0.3', port: honest.port }] });
  await waitUntil([victim], ['peer'], () => linked(victim, honest.nodeId));

  const raw = await rawFrom(ATTACKER, victim.port);
  raws.push(raw);
  await raw.handshake(Identity.generate());
  raw.send({ t: 'peers', peers: listeners.map((l) => ({ id: Buffer.from(l.nodeId, 'hex'), host: '127.0.1.1', port: l.port })) });
  await waitUntil([victim], ['peer', 'peer-closed'], () => outbound(victim).length === 8, () => `${outbound(victim).length} outbound`);
  expect(outbound(victim).filter((p) => p.host === '127.0.1.1')).toHaveLength(7);

  // The blip: the honest link drops. The free slot goes to the attacker's last listener
  // while the honest address backs off; when the backoff ends, the honest address (verified,
  // in a group we have no link to) replaces the youngest link of the crowded group.
  const events: GossipEvent[] = [];
  victim.on('event', (ev) => events.push(ev));
  victim.disconnect(honest.nodeId);
  await waitUntil([victim], ['peer', 'peer-closed'], () => linked(victim, honest.nodeId), () => `outbound: ${outbound(victim).map((p) => p.host)}`);
  await waitUntil([victim], ['peer', 'peer-closed'], () => outbound(victim).length <= 8);
  expect(victim.stats().outboundReplaced).toBeGreaterThanOrEqual(1);

  const sent = honest.publish('order.add', { side: 'buy' });
  await waitUntil([victim], ['event'], () => events.some((e) => e.id === sent.id));
});

test('1,600 bogus addresses in 50 peers messages: two messages read, 64 addresses learned, dials within the unverified rate, the flooder dropped and banned', async () => {
  const transport = new CountingTransport(tcpTransport(realClock));
  const log = new MemoryLog();
  const BURST = 4;
  const victim = await start({
    netGroup: perHostGroup,
    transport,
    log,
    // No refill during the test: every dial it makes to an unverified address is from the burst.
    unverifiedDialRate: { tokens: 1, perMs: 3_600_000, burst: BURST },
    // No decay during the test either: the count of floods to a drop is exact.
    peerScore: { halfLifeMs: 3_600_000 },
  });
  const attacker = Identity.generate();
  const raw = await rawFrom(ATTACKER, victim.port);
  raws.push(raw);
  await raw.handshake(attacker);
  // Closed ports: nothing listens on port 1 of these hosts.
  for (let m = 0; m < 50; m++) {
    raw.send({ t: 'peers', peers: Array.from({ length: 32 }, (_, i) => ({ id: Identity.generate().publicKey, host: `127.0.${3 + m}.${i + 1}`, port: 1 })) });
  }
  expect((await raw.nextOf('error'))?.code).toBe(ErrorCode.SHUNNED);
  await raw.closed;

  const floodsToDrop = Math.floor(DROP_SCORE / PEERS_FLOOD_WEIGHT) + 1;
  const s = victim.stats();
  expect(s.reported['peers-flood']).toBe(floodsToDrop);
  expect(s.droppedByScore).toBe(1);
  // What was read: the message burst, and within it the address burst; the rest ignored.
  expect(s.addrRelayDropped).toBe((PEERS_MESSAGE_RATE.burst * 32 - ADDR_LEARN_RATE.burst) + floodsToDrop * 32);
  expect(s.addresses).toBeLessThanOrEqual(ADDR_LEARN_RATE.burst);
  expect(s.addresses).toBeGreaterThanOrEqual(BURST);

  await waitUntil([transport], ['settled'], () => transport.settled === transport.dials.length && transport.dials.length >= BURST);
  expect(transport.dials).toHaveLength(BURST);
  expect(new Set(transport.dials).size).toBe(BURST);

  // Banned: listed with its ban's end, one log line each for throttled and banned, and refused on return.
  const pen = victim.penalised();
  expect(pen).toEqual([expect.objectContaining({ peer: attacker.nodeId, until: expect.any(Number) })]);
  expect(log.of('peer.throttled')).toEqual([expect.objectContaining({ peer: attacker.nodeId, reason: 'peers-flood' })]);
  expect(log.of('peer.banned')).toEqual([expect.objectContaining({ peer: attacker.nodeId, reason: 'peers-flood' })]);
  const back = await rawFrom(ATTACKER, victim.port);
  raws.push(back);
  back.send(makeHello(attacker, 0, 'raw', Date.now(), randomBytes(32)));
  expect((await back.nextOf('error'))?.code).toBe(ErrorCode.SHUNNED);

  // An honest node still links.
  const honest = await start();
  await honest.connect('127.0.0.1', victim.port);
  await waitUntil([victim], ['peer'], () => linked(victim, honest.nodeId));
});

test('report(): invalid events drop the link and ban the peer, who is refused on return', async () => {
  const log = new MemoryLog();
  const victim = await start({ log, peerScore: { halfLifeMs: 3_600_000, banBaseMs: 60_000 } });
  const peer = await start();
  await peer.connect('127.0.0.1', victim.port);
  await waitUntil([victim], ['peer'], () => linked(victim, peer.nodeId));
  const closed = next<[unknown, string]>(peer, 'peer-closed');
  const actions: string[] = [];
  while (linked(victim, peer.nodeId)) actions.push(victim.report(peer.nodeId, 'invalid').action);
  // -20 each: the first takes it below the penalty line (logged once), the sixth below -100.
  expect(actions).toEqual(['throttled', 'ok', 'ok', 'ok', 'ok', 'drop']);
  expect((await closed)[1]).toBe(ErrorCode.SHUNNED);
  expect(victim.penalised()).toEqual([{ peer: peer.nodeId, score: 0, until: expect.any(Number) }]);
  expect(victim.stats()).toMatchObject({ droppedByScore: 1, reported: expect.objectContaining({ invalid: 6 }) });
  expect(log.of('peer.banned')).toEqual([expect.objectContaining({ peer: peer.nodeId, reason: 'invalid', bannedMs: 60_000 })]);
  await expect(peer.connect('127.0.0.1', victim.port)).rejects.toMatchObject({ code: ErrorCode.SHUNNED });
});

test('report(): a ban ends on time and the peer links again; the next drop bans it twice as long', async () => {
  const clock = new ManualClock({ start: Date.now(), seed: 7 });
  const log = new MemoryLog();
  const BAN = 1000;
  const victim = await start({ clock, log, peerScore: { halfLifeMs: 3_600_000, banBaseMs: BAN } });
  const peer = await start();
  const dropOnce = async () => {
    await peer.connect('127.0.0.1', victim.port);
    await waitUntil([victim], ['peer'], () => linked(victim, peer.nodeId));
    while (linked(victim, peer.nodeId)) victim.report(peer.nodeId, 'over-budget');
  };
  await dropOnce();
  await expect(peer.connect('127.0.0.1', victim.port)).rejects.toMatchObject({ code: ErrorCode.SHUNNED });
  await clock.advance(BAN - 1);
  await expect(peer.connect('127.0.0.1', victim.port)).rejects.toMatchObject({ code: ErrorCode.SHUNNED });
  await clock.advance(1);
  expect(victim.penalised()).toEqual([]);
  await dropOnce();
  expect(log.of('peer.banned').map((f) => f.bannedMs)).toEqual([BAN, 2 * BAN]);
});

test('feelers: with outbound full, an address a peer told of is test-dialled and closed, without taking an outbound slot', async () => {
  const honest = await start({ host: '127.0.0.3', targetOutbound: 0 });
  const listener = await start({ host: '127.0.1.1', targetOutbound: 0 });
  const victim = await start({ netGroup: perHostGroup, targetOutbound: 1, feelerIntervalMs: 50, peers: [{ host: '127.0.0.3', port: honest.port }] });
  await waitUntil([victim], ['peer'], () => linked(victim, honest.nodeId));
  const raw = await rawFrom(ATTACKER, victim.port);
  raws.push(raw);
  await raw.handshake(Identity.generate());
  const seen: string[] = [];
  listener.on('peer', (p) => seen.push(`open ${p.nodeId}`));
  listener.on('peer-closed', (p) => seen.push(`closed ${p.nodeId}`));
  raw.send({ t: 'peers', peers: [{ id: Buffer.from(listener.nodeId, 'hex'), host: '127.0.1.1', port: listener.port }] });
  await waitUntil([listener], ['peer', 'peer-closed'], () => seen.length === 2);
  expect(seen).toEqual([`open ${victim.nodeId}`, `closed ${victim.nodeId}`]);
  expect(victim.stats().feelers).toBeGreaterThanOrEqual(1);
  expect(outbound(victim).map((p) => p.nodeId)).toEqual([honest.nodeId]);
});
