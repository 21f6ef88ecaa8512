/**
 * The fuzzer's starting material: frames a real node received during a real exchange
 * session (three nodes placing, taking, crossing and cancelling orders in virtual
 * time), plus the conformance vectors. Captured rather than written by hand, so the
 * corpus follows the code: when a message or an event kind changes shape, the next
 * capture has the new shape.
 */
import type { Duplex } from 'node:stream';
import { World, type SimNode } from '../src/sim/world';
import type { Transport } from '../src/transport/transport';
import { decodeStrict } from '../src/wire/strict-decode';
import frameVectors from '../vectors/frames.json';
import { type Node, parseAst } from './ast';
import { FrameSplitter } from './bytes';
import { type EventTemplate, templateOf } from './forge';

/** One captured frame payload, as a tree, with its type (and the event kind inside). */
export interface CorpusFrame {
  t: string;
  /** `event` frames: the kind of the event carried. */
  kind?: string;
  tree: Node;
}

export interface Corpus {
  frames: CorpusFrame[];
  /** Every distinct event kind seen, as templates for re-signing (events and sync entries). */
  events: EventTemplate[];
  /** Raw streams of the conformance vectors (frames.json), each as it arrives on a connection. */
  vectors: Array<{ name: string; bytes: Buffer }>;
}

/**
 * Frames kept per message type (and per event kind): enough variety of sizes and field
 * values; more only repeats the same shapes and slows the picks.
 */
export const PER_TYPE = 16;

const BTC = 100_000_000;

/** A transport whose every stream reports the frames it reads to `sink`. */
function tapped(inner: Transport, sink: (payload: Buffer) => void): Transport {
  const tap = (stream: Duplex): void => {
    const splitter = new FrameSplitter();
    stream.on('data', (chunk: Buffer) => {
      for (const f of splitter.push(chunk)) if (f.payload) sink(Buffer.from(f.payload));
    });
  };
  return {
    listen: (host, port, onStream) =>
      inner.listen(host, port, (stream, remote) => {
        tap(stream);
        onStream(stream, remote);
      }),
    connect: async (host, port, opts) => {
      const stream = await inner.connect(host, port, opts);
      tap(stream);
      return stream;
    },
  };
}

/** Runs the session and returns what the nodes received. Deterministic: same code, same corpus. */
export async function captureCorpus(): Promise<Corpus> {
  const payloads: Buffer[] = [];
  const world = new World({ seed: 'fuzz-corpus', link: { latencyMs: 5 } });
  const transportOf = world.network.transport.bind(world.network);
  // World builds each node's transport from its network; tap them all.
  Object.defineProperty(world.network, 'transport', { value: (host: string) => tapped(transportOf(host), (p) => payloads.push(p)) });
  try {
    await session(world);
  } finally {
    await world.close();
  }
  return { ...collect(payloads), vectors: frameVectors.vectors.map((v) => ({ name: v.name, bytes: Buffer.from(v.hex, 'hex') })) };
}

async function session(w: World): Promise<void> {
  const a = await w.addNode();
  const b = await w.addNode({ peers: [a] });
  await w.settle();
  const sell = await w.until(a.ex.place({ side: 'sell', price: 5_000_000, amount: BTC }));
  await w.until(b.ex.place({ side: 'buy', price: 4_000_000, amount: 0.3 * BTC }));
  await w.settle();
  // A late joiner gets the book in sync frames, and a peers list with two entries.
  const c = await w.addNode({ peers: [a, b] });
  await w.settle();
  // Two takers race for more than is left: one grant, one partial or refused confirm.
  const id = sell.order!.id;
  await w.until(Promise.allSettled([b.ex.accept(id, 0.4 * BTC), c.ex.accept(id, 0.8 * BTC)]));
  await w.settle();
  // Crossing orders placed at the same moment: the newer's owner takes the older (fill).
  await w.until(Promise.all([a.ex.place({ side: 'buy', price: 4_500_000, amount: 0.2 * BTC }), c.ex.place({ side: 'sell', price: 4_400_000, amount: 0.2 * BTC })]));
  await w.settle();
  await w.run(20_000);
  await w.settle();
  for (const o of b.ex.myOrders().filter((x) => x.status === 'open')) await w.until(b.ex.cancel(o.id));
  await w.settle();
  await stopQuietly(w, c);
}

async function stopQuietly(w: World, n: SimNode): Promise<void> {
  await w.stop(n);
  await w.settle();
}

function collect(payloads: Buffer[]): { frames: CorpusFrame[]; events: EventTemplate[] } {
  const frames: CorpusFrame[] = [];
  const events: EventTemplate[] = [];
  const perType = new Map<string, number>();
  const perKind = new Map<string, number>();
  const keep = (key: string, counts: Map<string, number>): boolean => {
    const n = counts.get(key) ?? 0;
    if (n >= PER_TYPE) return false;
    counts.set(key, n + 1);
    return true;
  };
  const addTemplate = (body: Uint8Array): string | undefined => {
    const tpl = templateOf(body);
    if (tpl && keep(tpl.kind, perKind)) events.push(tpl);
    return tpl?.kind;
  };
  for (const p of payloads) {
    const v = decodeStrict(p) as { t: string; body?: Uint8Array; events?: Array<{ body: Uint8Array }> };
    let kind: string | undefined;
    if (v.t === 'event' && v.body) kind = addTemplate(v.body);
    if (v.t === 'sync' && v.events) for (const e of v.events) addTemplate(e.body);
    // Sync frames with entries are the interesting ones; every link also sends an empty one.
    const key = kind ? `${v.t}:${kind}` : v.t === 'sync' ? `sync:${(v.events?.length ?? 0) > 0}` : v.t;
    if (keep(key, perType)) frames.push({ t: v.t, kind, tree: parseAst(p) });
  }
  return { frames, events };
}
