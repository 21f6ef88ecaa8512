/**
 * One measurement of issue 9's figure, in a process of its own: a node built from the
 * `dist/` directory given as argument receives, from a peer that has just completed a
 * real handshake, one book-sync frame of about 1 MiB filled with valid `order.add`
 * events from many keys (all fresh, none crossing), and a 1 ms probe timer records the
 * longest stretch the event loop went without running it, from the frame's first byte
 * until the node reports the sync done (plus TRAILING_MS for what the sync sets off).
 * Prints one JSON line. The modules are loaded from that directory, so the same script
 * measures any build with the same layout (the code before issue 9, and after).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Room left under the 1 MiB frame limit for the frame's own header and map. */
const FRAME_BUDGET = 1024 * 1024 - 1024;
/** Orders per key: few, so no per-owner cap or budget refuses any of them (all must be taken). */
const ORDERS_PER_KEY = 4;
/** After the node says the sync is done, what it set off (relays, store writes, log lines) still runs. */
const TRAILING_MS = 200;
/** A run that has not finished by then is reported as failed, not waited for. */
const RUN_TIMEOUT_MS = 60_000;

interface Ident {
  nodeId: string;
  publicKey: Uint8Array;
  sign(b: Uint8Array): Uint8Array;
}
interface Built {
  Exchange: { start(o: Record<string, unknown>): Promise<Node> };
  Identity: { generate(): Ident };
  signEvent(id: Ident, kind: string, data: Record<string, unknown>, ts: number, random: Uint8Array): { raw: { body: Uint8Array; sig: Uint8Array } };
  makeHello(id: Ident, port: number, agent: string, now: number, nonce: Uint8Array): Record<string, unknown>;
  makeAuth(id: Ident, theirs: Record<string, unknown>): Record<string, unknown>;
  encodeFrame(m: Record<string, unknown>): Buffer;
  FrameDecoder: new (max?: number) => { push(chunk: Buffer): Iterable<Record<string, unknown>> };
}
interface Node {
  status(): { port: number; orders: { bids: number; asks: number } };
  on(ev: 'sync-done', fn: (from: { nodeId: string }, count: number) => void): void;
  close(): Promise<void>;
}

function load(dist: string): Built {
  const r = (p: string) => require(resolve(dist, p));
  return {
    Exchange: r('exchange/exchange.js').Exchange,
    Identity: r('identity/identity.js').Identity,
    signEvent: r('gossip/event.js').signEvent,
    makeHello: r('peer/handshake.js').makeHello,
    makeAuth: r('peer/handshake.js').makeAuth,
    encodeFrame: r('wire/frame.js').encodeFrame,
    FrameDecoder: r('wire/frame.js').FrameDecoder,
  };
}

/** Worst-case MessagePack bytes around one entry, and around the frame (as src/gossip/sync-batches.ts counts). */
const ENTRY_OVERHEAD = 17;
const FRAME_OVERHEAD = 32;

/** Valid adds from many keys until the sync frame is as large as the frame limit allows. */
function syncFrame(b: Built): { frame: Buffer; events: number } {
  const events: Array<{ body: Uint8Array; sig: Uint8Array }> = [];
  let key = b.Identity.generate();
  let size = FRAME_OVERHEAD;
  for (let i = 0; ; i++) {
    if (i % ORDERS_PER_KEY === 0) key = b.Identity.generate();
    // Asks from 60,000 USD up, one price each: nothing crosses, nothing shares a level.
    const ev = b.signEvent(key, 'order.add', { side: 'sell', price: 6_000_000 + i, amount: 1_000_000 }, Date.now(), randomBytes(16));
    const n = ev.raw.body.length + ev.raw.sig.length + ENTRY_OVERHEAD;
    if (size + n > FRAME_BUDGET) break;
    size += n;
    events.push({ body: ev.raw.body, sig: ev.raw.sig });
  }
  const frame = b.encodeFrame({ t: 'sync', events, done: true });
  if (frame.length > FRAME_BUDGET + 4) throw new Error(`frame of ${frame.length} bytes is over the limit`);
  return { frame, events: events.length };
}

async function main(): Promise<void> {
  const dist = process.argv[2];
  const b = load(dist);
  const dir = mkdtempSync(join(tmpdir(), 'p2px-sync-'));
  const node = await b.Exchange.start({ port: 0, dataDir: dir });
  const { frame, events } = syncFrame(b);
  const me = b.Identity.generate();

  const socket = connect({ host: '127.0.0.1', port: node.status().port });
  socket.on('error', () => {});
  const decoder = new b.FrameDecoder(16 * 1024 * 1024);
  let waiting: ((m: Record<string, unknown>) => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    for (const m of decoder.push(chunk)) {
      if (m.t === 'ping') socket.write(b.encodeFrame({ t: 'pong', n: m.n }));
      else if (waiting && (m.t === 'hello' || m.t === 'auth')) waiting(m);
    }
  });
  const next = (t: string) => new Promise<Record<string, unknown>>((res) => (waiting = (m) => m.t === t && res(m)));
  await new Promise((r) => socket.once('connect', r));
  const gotHello = next('hello');
  socket.write(b.encodeFrame(b.makeHello(me, 0, 'sync-block', Date.now(), randomBytes(32))));
  const theirs = await gotHello;
  const gotAuth = next('auth');
  socket.write(b.encodeFrame(b.makeAuth(me, theirs)));
  await gotAuth;

  // The probe: a 1 ms timer; the longest gap between two of its runs, less 1 ms, is the
  // longest the loop was kept from it.
  let last = performance.now();
  let maxGap = 0;
  let probe: NodeJS.Timeout | null = null;
  const tick = (): void => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    probe = setTimeout(tick, 1);
  };
  const done = new Promise<number>((res) => node.on('sync-done', (from, count) => from.nodeId === me.nodeId && res(count)));
  const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('sync not done in time')), RUN_TIMEOUT_MS).unref());
  const t0 = performance.now();
  last = t0;
  probe = setTimeout(tick, 1);
  socket.write(frame);
  const count = await Promise.race([done, timeout]);
  const handledMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, TRAILING_MS));
  clearTimeout(probe!);
  const s = node.status();
  socket.destroy();
  await node.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ frameBytes: frame.length, events, synced: count, book: s.orders.bids + s.orders.asks, handledMs, maxBlockMs: maxGap - 1 }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
