import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, Socket } from 'node:net';
import { signEvent } from '../support/sign';
import { Identity } from '../../src/identity/identity';
import { makeHello } from '../../src/peer/handshake';
import { GossipEvent, NetNode } from '../../src/net/node';
import { ErrorCode } from '../../src/wire/errors';
import { encodeFrame } from '../../src/wire/frame';
import { FAST } from './support/cluster';
import { MemoryLog } from './support/memory-log';
import { RawPeer } from './support/raw-peer';
import { next } from './support/wait';

let node: NetNode;
let good: NetNode;
const log = new MemoryLog();
const raws: RawPeer[] = [];

beforeAll(async () => {
  node = await NetNode.start({ ...FAST, handshakeTimeoutMs: 300, log });
  good = await NetNode.start(FAST);
  await good.connect('127.0.0.1', node.port);
});
afterAll(async () => {
  for (const r of raws) r.destroy();
  await Promise.all([node.close(), good.close()]);
});

async function rawClient(): Promise<RawPeer> {
  const socket: Socket = tcpConnect({ host: '127.0.0.1', port: node.port });
  await next(socket, 'connect');
  const raw = new RawPeer(socket);
  raws.push(raw);
  return raw;
}

/** The node's error frame to this client, once the socket has closed. */
async function refusal(raw: RawPeer): Promise<string | undefined> {
  const err = await raw.nextOf('error');
  await raw.closed;
  return err?.code;
}

/** Gossip still flows to the good peer after each attack. */
async function goodPeerStillServed(): Promise<void> {
  const got = next<[GossipEvent]>(good, 'event');
  const ev = node.publish('test.alive', { at: Date.now() });
  expect((await got)[0].id).toBe(ev.id);
}

test('over-size length → FRAME_TOO_LARGE, disconnected', async () => {
  const raw = await rawClient();
  raw.sendBytes('00200000'); // 2 MiB announced; no payload needed to refuse it
  expect(await refusal(raw)).toBe(ErrorCode.FRAME_TOO_LARGE);
  await goodPeerStillServed();
});

test('garbage → DECODE_FAILED', async () => {
  const raw = await rawClient();
  raw.sendBytes('00000006deadbeefcafe');
  expect(await refusal(raw)).toBe(ErrorCode.DECODE_FAILED);
  await goodPeerStillServed();
});

test('zero length → FRAME_EMPTY', async () => {
  const raw = await rawClient();
  raw.sendBytes('00000000');
  expect(await refusal(raw)).toBe(ErrorCode.FRAME_EMPTY);
});

test('no hello → HANDSHAKE_TIMEOUT', async () => {
  const raw = await rawClient();
  expect((await raw.next())?.t).toBe('hello'); // the node speaks first; we never answer
  expect(await refusal(raw)).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
  await goodPeerStillServed();
});

test('forged signature → BAD_SIGNATURE, then that node id is shunned', async () => {
  const mallory = Identity.generate();
  const raw = await rawClient();
  await raw.handshake(mallory);
  // An event claiming to come from the good node, signed by mallory.
  const real = signEvent(Identity.generate(), 'order.cancel', { order: 'x' }, Date.now());
  const forgedBody = Buffer.from(real.raw.body);
  raw.send({ t: 'event', body: forgedBody, sig: mallory.sign(forgedBody), hops: 0 });
  expect(await refusal(raw)).toBe(ErrorCode.BAD_SIGNATURE);
  const line = log.of('peer.misbehaved').find((f) => f.code === ErrorCode.BAD_SIGNATURE);
  expect(line).toMatchObject({ peer: mallory.nodeId, code: ErrorCode.BAD_SIGNATURE });

  const again = await rawClient();
  again.send(makeHello(mallory, 0, 'raw', Date.now(), randomBytes(32)));
  expect(await refusal(again)).toBe(ErrorCode.SHUNNED);
  await goodPeerStillServed();
  expect(good.peers().map((p) => p.nodeId)).toEqual([node.nodeId]);
});

test('each misbehaviour got one log line saying who and why', () => {
  const codes = log.of('peer.misbehaved').map((f) => f.code);
  expect(codes).toEqual(expect.arrayContaining([ErrorCode.FRAME_TOO_LARGE, ErrorCode.DECODE_FAILED, ErrorCode.FRAME_EMPTY, ErrorCode.BAD_SIGNATURE]));
  expect(codes).toHaveLength(4);
  for (const f of log.of('peer.misbehaved')) expect(f.addr).toMatch(/^127\.0\.0\.1:\d+$/);
});

test('a valid event frame with a malformed body → BAD_EVENT', async () => {
  const id = Identity.generate();
  const raw = await rawClient();
  await raw.handshake(id);
  const body = encodeFrame({ not: 'an event' }).subarray(4);
  raw.send({ t: 'event', body, sig: id.sign(body), hops: 0 });
  expect(await refusal(raw)).toBe(ErrorCode.BAD_EVENT);
});
