/**
 * Issue 11's slot attacks, against a real node on loopback with real handshakes and
 * fresh keys. Attackers connect from 127.0.1.1 and 127.0.2.1, honest nodes from
 * 127.0.0.1; `netGroup: perHostGroup` puts each host in its own network group (the
 * default puts all of loopback in one, which the last test uses on purpose).
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { Identity } from '../../src/identity/identity';
import { makeHello } from '../../src/peer/handshake';
import { MAX_HANDSHAKES } from '../../src/peer/handshake-pool';
import { NetNode, NetOptions, perHostGroup } from '../../src/net/node';
import { ErrorCode } from '../../src/wire/errors';
import { encodeFrame } from '../../src/wire/frame';
import { rawFrom, socketFrom } from './support/attacker';
import { FAST } from './support/cluster';
import type { RawPeer } from './support/raw-peer';
import { waitUntil } from './support/wait';

const ATTACKER_HOSTS = ['127.0.1.1', '127.0.2.1'];
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

/** A raw attacker with a fresh key that completes a real handshake. */
async function keyedAttacker(victim: NetNode, i: number): Promise<RawPeer> {
  const raw = await rawFrom(ATTACKER_HOSTS[i % ATTACKER_HOSTS.length], victim.port);
  raws.push(raw);
  await raw.handshake(Identity.generate());
  return raw;
}

const linked = (n: NetNode, id: string) => n.peers().some((p) => p.nodeId === id);

test('63 fresh keys fill the inbound slots: newcomers evict an attacker, never the honest peer, and honest nodes still get in', async () => {
  const victim = await start({ netGroup: perHostGroup });
  const maxInbound = 64;
  const attackers: RawPeer[] = [];
  for (let i = 0; i < maxInbound; i++) attackers.push(await keyedAttacker(victim, i));
  await waitUntil([victim], ['peer'], () => victim.peers().length === maxInbound, () => `${victim.peers().length} inbound`);

  const honest = await start();
  await honest.connect('127.0.0.1', victim.port);
  await waitUntil([victim], ['peer', 'peer-closed'], () => linked(victim, honest.nodeId) && victim.peers().length === maxInbound);
  expect(victim.stats()).toMatchObject({ evicted: 1, refusedFull: 0, inbound: maxInbound });

  // The attacker keeps coming with fresh keys. Each newcomer evicts the youngest peer of
  // the most crowded group: an attacker's. The honest peer, alone in its group, stays.
  const honestLost: string[] = [];
  victim.on('peer-closed', (p) => p.nodeId === honest.nodeId && honestLost.push(p.nodeId));
  const CHURN = 40;
  for (let i = 0; i < CHURN; i++) {
    await keyedAttacker(victim, i);
    await waitUntil([victim], ['peer', 'peer-closed'], () => victim.stats().evicted + victim.stats().refusedFull === 2 + i);
    expect(victim.stats().inbound).toBeLessThanOrEqual(maxInbound);
  }
  expect(victim.stats().evicted).toBe(1 + CHURN);
  expect(honestLost).toEqual([]);
  expect(linked(victim, honest.nodeId)).toBe(true);

  // Evicted attackers were told why.
  const evicted = attackers.find((a) => a.received.some((m) => m.t === 'error'));
  expect(evicted?.received.find((m) => m.t === 'error')).toMatchObject({ code: ErrorCode.TOO_MANY_PEERS });

  // A second honest node gets in the same way; memory stays bounded by the slots.
  const second = await start();
  await second.connect('127.0.0.1', victim.port);
  await waitUntil([victim], ['peer', 'peer-closed'], () => linked(victim, second.nodeId) && linked(victim, honest.nodeId));
  const s = victim.stats();
  expect(s.inbound).toBe(maxInbound);
  expect(s.handshaking).toBeLessThanOrEqual(MAX_HANDSHAKES);
});

test('64 keyless sockets that say hello and never authenticate, reopened whenever closed: 12 of 12 honest nodes still get in', async () => {
  const victim = await start({ netGroup: perHostGroup });
  // No key at all: a random id in each hello, never an auth.
  const template = makeHello(Identity.generate(), 0, 'attacker', Date.now(), randomBytes(32));
  const hello = () => encodeFrame({ ...template, id: randomBytes(32), nonce: randomBytes(32) });
  let reopened = 0;
  let stopped = false;
  const REOPEN_BUDGET = 20_000;
  const sockets = new Set<Socket>();
  let churning!: () => void;
  // Once the victim has closed more sockets than it has pool slots and attackers, the pool is full and turning over.
  const poolChurning = new Promise<void>((resolve) => (churning = resolve));
  const openOne = (): void => {
    if (stopped || reopened >= REOPEN_BUDGET) return;
    const s = socketFrom(ATTACKER_HOSTS[0], victim.port);
    sockets.add(s);
    s.resume(); // reads (and discards) what the victim says, so its goodbye closes the socket
    s.once('connect', () => s.write(hello()));
    s.once('close', () => {
      sockets.delete(s);
      if (++reopened === 64 + MAX_HANDSHAKES) churning();
      openOne();
    });
  };
  for (let i = 0; i < 64; i++) openOne();
  await poolChurning;
  expect(victim.stats().handshakePoolFull).toBeGreaterThan(64);
  expect(victim.stats().inbound).toBe(0);

  const honest: NetNode[] = [];
  for (let i = 0; i < 12; i++) {
    const h = await start();
    honest.push(h);
    await h.connect('127.0.0.1', victim.port);
    const s = victim.stats();
    expect(s.handshaking).toBeLessThanOrEqual(MAX_HANDSHAKES);
    expect(s.connecting).toBeLessThanOrEqual(MAX_HANDSHAKES);
  }
  // The attack was still on when the last honest node got in.
  expect(reopened).toBeLessThan(REOPEN_BUDGET);
  stopped = true;
  for (const s of sockets) s.destroy();
  expect(honest.filter((h) => linked(victim, h.nodeId))).toHaveLength(12);
  expect(victim.stats().inbound).toBe(12);
});

test('one network group for everyone (the default on loopback): a peer reported useful survives the churn, one that is not is evicted', async () => {
  const maxInbound = 24;
  const victim = await start({ maxInbound });
  for (let i = 0; i < maxInbound; i++) await keyedAttacker(victim, i);
  await waitUntil([victim], ['peer'], () => victim.peers().length === maxInbound);

  const useful = await start();
  await useful.connect('127.0.0.1', victim.port);
  await waitUntil([victim], ['peer', 'peer-closed'], () => linked(victim, useful.nodeId));
  victim.report(useful.nodeId, 'useful'); // what the router reports for a new valid event
  const idle = await start();
  await idle.connect('127.0.0.1', victim.port);
  await waitUntil([victim], ['peer', 'peer-closed'], () => linked(victim, idle.nodeId));

  // Everyone is in one group and nobody answered a ping yet: what protects a young peer
  // is having been useful. The idle one is the youngest of the crowd and goes first (it
  // redials, as an honest node does, and comes back in the place of a younger attacker).
  const closedAtVictim: Array<[string, string]> = [];
  victim.on('peer-closed', (p, code) => closedAtVictim.push([p.nodeId, code]));
  const before = victim.stats().evicted;
  for (let i = 0; i < 10; i++) {
    await keyedAttacker(victim, i);
    await waitUntil([victim], ['peer', 'peer-closed'], () => victim.stats().evicted >= before + i + 1);
  }
  expect(closedAtVictim).toContainEqual([idle.nodeId, ErrorCode.TOO_MANY_PEERS]);
  expect(closedAtVictim.filter(([id]) => id === useful.nodeId)).toEqual([]);
  expect(linked(victim, useful.nodeId)).toBe(true);
});
