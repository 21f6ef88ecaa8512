/**
 * How fast the strict reader (src/wire/strict-decode.ts + the message table) reads the
 * two frames that matter, against msgpackr's decoder (which the node used before):
 *  - typical `event` frames: the hot path, since most arrive as duplicates and are
 *    dropped right after decoding (an `order.fill`, ~600 bytes, and an `order.confirm`,
 *    ~900, as real traffic has: owner updates embed their order's add);
 *  - a 1 MiB `sync` frame of such bodies.
 * Not part of `npm test`. Run:
 *   npx tsc --outDir dist-bench --rootDir . --module commonjs --moduleResolution node --target ES2022 \
 *     --strict --esModuleInterop --skipLibCheck --types node bench/wire-decode.ts && node dist-bench/bench/wire-decode.js
 * Env: BENCH_MS (per measurement, default 400), BENCH_ROUNDS (default 5; the median is shown).
 */
import { Unpackr, isNativeAccelerationEnabled } from 'msgpackr';
import { randomBytes } from 'node:crypto';
import { decodeEvent, signEvent as signWith } from '../src/gossip/event';
import { Identity } from '../src/identity/identity';
import { encodeFrame, FrameDecoder, HEADER_BYTES } from '../src/wire/frame';
import { EventMsg, SyncMsg } from '../src/wire/messages';
import { decodeStrict } from '../src/wire/strict-decode';

const signEvent = (id: Identity, kind: string, data: Record<string, unknown>, ts: number) => signWith(id, kind, data, ts, randomBytes(16));

const MS = Number(process.env.BENCH_MS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// The options the node used with msgpackr before the strict reader.
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, moreTypes: false, mapsAsObjects: true, int64AsType: 'auto' as 'number' });

interface Sample {
  name: string;
  frame: Buffer;
  body: Uint8Array;
  sig: Uint8Array;
}

/** An `order.fill` (~600-byte frame: it embeds its order's add) and an `order.confirm` (embeds the add and the accept). */
function typicalEvents(): Sample[] {
  const owner = Identity.generate();
  const taker = Identity.generate();
  const now = 1_700_000_000_000;
  const add = signEvent(owner, 'order.add', { side: 'sell', price: 6_512_345, amount: 150_000_000 }, now);
  const accept = signEvent(taker, 'order.accept', { order: add.id, amount: 50_000_000, deadline: now + 5_000 }, now + 10);
  const update = { order: add.id, seq: 1, filled: 50_000_000, status: 'open', add: add.raw.body, addSig: add.raw.sig };
  const fill = signEvent(owner, 'order.fill', { ...update, trade: accept.id, amount: 50_000_000 }, now + 20);
  const confirm = signEvent(
    owner,
    'order.confirm',
    { ...update, accept: accept.id, taker: taker.nodeId, amount: 50_000_000, acceptBody: accept.raw.body, acceptSig: accept.raw.sig },
    now + 20,
  );
  return [fill, confirm].map((ev) => {
    const frame = encodeFrame({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: 2 });
    return { name: `${ev.kind}, ${frame.length}-byte frame`, frame, body: ev.raw.body, sig: ev.raw.sig };
  });
}

function syncFrame(body: Uint8Array, sig: Uint8Array): Buffer {
  const perEntry = body.length + sig.length + 16;
  const count = Math.floor((1024 * 1024 - 64) / perEntry);
  return encodeFrame({ t: 'sync', events: Array.from({ length: count }, () => ({ body, sig })), done: false });
}

/** Median over ROUNDS of ns per call, each round running `fn` for about MS. */
function measure(fn: () => unknown): number {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(MS) * 1_000_000n;
    let now = start;
    while (now < until) {
      for (let i = 0; i < 16; i++) fn();
      n += 16;
      now = process.hrtime.bigint();
    }
    rounds.push(Number(now - start) / n);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
}

function row(what: string, bytes: number, ours: () => unknown, theirs: () => unknown): string {
  const a = measure(ours);
  const b = measure(theirs);
  const fmt = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
  const mbs = (ns: number) => ((bytes / ns) * 1e3).toFixed(0);
  return `| ${what} | ${bytes} | ${fmt(a)} (${mbs(a)} MB/s) | ${fmt(b)} (${mbs(b)} MB/s) | ${(a / b).toFixed(2)} |`;
}

function main(): void {
  const events = typicalEvents();
  const sync = syncFrame(events[1].body, events[1].sig);
  const syncPayload = sync.subarray(HEADER_BYTES);
  // One decoder per stream, as a connection has.
  const oneFrame = (frame: Buffer) => {
    const d = new FrameDecoder();
    return () => {
      for (const m of d.push(frame)) return m;
      throw new Error('no message');
    };
  };

  console.log(`node ${process.version}, msgpackr native string extraction: ${isNativeAccelerationEnabled}`);
  console.log(`sync frame: ${(decodeStrict(syncPayload) as SyncMsg).events.length} order.confirm bodies\n`);
  console.log('msgpackr column: its decoder alone (no framing, no shape checks; for decodeEvent, both unpacks and the copy)');
  console.log('| what | bytes | strict reader | msgpackr | ratio |');
  console.log('|---|---|---|---|---|');
  for (const ev of events) {
    const payload = ev.frame.subarray(HEADER_BYTES);
    console.log(row(`${ev.name}: payload → value`, payload.length, () => decodeStrict(payload), () => unpackr.unpack(payload)));
    console.log(row(`${ev.name}: → checked message (FrameDecoder)`, ev.frame.length, oneFrame(ev.frame), () => unpackr.unpack(payload)));
    const read = oneFrame(ev.frame);
    console.log(
      row(
        `${ev.name}: → message → decodeEvent (a duplicate's cost)`,
        ev.frame.length,
        () => {
          const m = read() as EventMsg;
          return decodeEvent(m.body, m.sig, m.hops);
        },
        () => {
          const m = unpackr.unpack(payload) as EventMsg;
          return unpackr.unpack(Buffer.from(m.body));
        },
      ),
    );
  }
  console.log(row('1 MiB sync payload → value', syncPayload.length, () => decodeStrict(syncPayload), () => unpackr.unpack(syncPayload)));
  console.log(row('1 MiB sync frame → checked message (FrameDecoder)', sync.length, oneFrame(sync), () => unpackr.unpack(syncPayload)));
}

main();
