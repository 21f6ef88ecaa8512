/**
 * One fuzz case from one seed: which phase of a link it is sent in, its bytes, how they
 * are cut into writes, and a line saying what was done (for the report and a replay).
 * Case `i` of seed `S` draws from SeededRandom(`S:i`) alone, so it is the same bytes
 * every time given the same node clock and the same attacker memory (forge.ts).
 */
import { SeededRandom } from '../src/clock/seeded-random';
import type { Identity } from '../src/identity/identity';
import { makeAuth, makeHello } from '../src/peer/handshake';
import { encodeFrame, HEADER_BYTES } from '../src/wire/frame';
import type { HelloMsg } from '../src/wire/messages';
import { arrNode, binNode, encodeAst, intNode, mapNode, type Node, parseAst, strNode } from './ast';
import { framed, mutateBytes, splitAt } from './bytes';
import type { Corpus } from './corpus';
import { type ForgeContext, forge, type Forged } from './forge';
import { mutateTree, within } from './mutate';

export type Phase = 'pre' | 'auth' | 'open';

export interface Case {
  index: number;
  /** `pre`: the first bytes of a new link; `auth`: a new link's auth; `open`: after the handshake. */
  phase: Phase;
  /** The bytes to send; an `auth` case needs the node's hello to build its own. */
  bytes(nodeHello: HelloMsg | null): Buffer;
  /** Writes the bytes are cut into (frames split at random offsets). */
  split(bytes: Buffer): Buffer[];
  /** What was done, for the report. */
  what: string[];
}

export interface GenContext {
  corpus: Corpus;
  /** The key the next new link handshakes with (pre and auth cases write their hello with it). */
  linkIdentity: Identity;
  forge: Omit<ForgeContext, 'rng' | 'now'>;
  now: number;
  maxFrameBytes: number;
}

/** Entries of a large sync frame: past SYNC_SLICE (64), so the node takes its sliced, asynchronous path. */
const LARGE_SYNC = [65, 100, 130];

function pick<T>(rng: SeededRandom, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

function payloadTree(frame: Buffer): Node {
  return parseAst(frame.subarray(HEADER_BYTES));
}

/** Encodes a (possibly mutated) tree as a frame; a tree no header can hold falls back to `fallback`. */
function frameOf(tree: Node, fallback: Node): Buffer {
  try {
    return framed(encodeAst(tree));
  } catch {
    return framed(encodeAst(fallback));
  }
}

function eventTree(f: Forged, hops: number): Node {
  return mapNode([
    [strNode('t'), strNode('event')],
    [strNode('body'), binNode(f.body)],
    [strNode('sig'), binNode(f.sig)],
    [strNode('hops'), intNode(hops)],
  ]);
}

function syncTree(entries: Forged[], done: boolean): Node {
  return mapNode([
    [strNode('t'), strNode('sync')],
    [strNode('events'), arrNode(entries.map((e) => mapNode([[strNode('body'), binNode(e.body)], [strNode('sig'), binNode(e.sig)]])))],
    [strNode('done'), { k: 'bool', v: done }],
  ]);
}

export function generateCase(seed: string, index: number, ctx: GenContext): Case {
  const rng = new SeededRandom(`${seed}:${index}`);
  const fctx: ForgeContext = { ...ctx.forge, rng, now: ctx.now };
  const what: string[] = [];
  const r = rng.int(100);
  let phase: Phase = 'open';
  let build: (nodeHello: HelloMsg | null) => Buffer;

  if (r < 8) {
    phase = 'pre';
    const hello = encodeFrame(makeHello(ctx.linkIdentity, 0, 'fuzz', ctx.now, rng.bytes(32)));
    const bytes = preBytes(rng, ctx, hello, what);
    build = () => bytes;
  } else if (r < 12) {
    phase = 'auth';
    const id = ctx.linkIdentity;
    const late = rng.fork('auth');
    what.push('auth');
    build = (nodeHello) => {
      const auth = encodeFrame(makeAuth(id, nodeHello as HelloMsg));
      const tree = payloadTree(auth);
      const m = mutateTree(tree, late, 2);
      what.push(...m.done);
      return frameOf(m.tree, tree);
    };
  } else {
    const bytes = openBytes(rng, ctx, fctx, what);
    build = () => bytes;
  }
  // Structure first, then now and then a byte-level blow on top of it.
  const byteRng = rng.fork('bytes');
  const blow = byteRng.int(100) < 12;
  const splitRng = rng.fork('split');
  const doSplit = splitRng.int(100) < 25;
  return {
    index,
    phase,
    what,
    bytes(nodeHello) {
      const b = build(nodeHello);
      if (!blow) return b;
      const m = mutateBytes(b, byteRng, ctx.maxFrameBytes);
      what.push(`bytes:${m.done}`);
      return m.bytes;
    },
    split(bytes) {
      if (!doSplit) return [bytes];
      what.push('split');
      return splitAt(bytes, splitRng);
    },
  };
}

/** First bytes on a new link: a mutated hello, another message too early, a vector, or noise. */
function preBytes(rng: SeededRandom, ctx: GenContext, hello: Buffer, what: string[]): Buffer {
  const r = rng.int(10);
  if (r < 6) {
    const tree = payloadTree(hello);
    const m = mutateTree(tree, rng, 2);
    what.push('pre:hello', ...m.done);
    return frameOf(m.tree, tree);
  }
  if (r < 8) {
    const f = pick(rng, ctx.corpus.frames);
    what.push(`pre:${f.t}${f.kind ? `:${f.kind}` : ''}`);
    return framed(encodeAst(f.tree));
  }
  if (r < 9) {
    const v = pick(rng, ctx.corpus.vectors);
    what.push(`pre:vector:${v.name}`);
    return v.bytes;
  }
  what.push('pre:noise');
  return rng.bytes(1 + rng.int(64));
}

function openBytes(rng: SeededRandom, ctx: GenContext, fctx: ForgeContext, what: string[]): Buffer {
  const r = rng.int(100);
  const events = ctx.corpus.events;
  if (r < 40) {
    const f = forge(pick(rng, events), fctx, 0.6);
    const tree = eventTree(f, rng.int(8) === 0 ? pick(rng, [0, 63, 64, 65]) : rng.int(4));
    what.push(`event:${f.kind}`, ...f.done);
    if (rng.int(100) < 15) {
      const m = mutateTree(tree, rng, 2, (p) => !within('body')(p) || p === 'body');
      what.push(...m.done.map((d) => `frame:${d}`));
      return frameOf(m.tree, tree);
    }
    return framed(encodeAst(tree));
  }
  if (r < 52) {
    const n = rng.int(10) === 0 ? pick(rng, LARGE_SYNC) : rng.int(7);
    const entries = Array.from({ length: n }, () => forge(pick(rng, events), fctx, 0.3));
    const tree = syncTree(entries, rng.int(2) === 0);
    what.push(`sync:${n}`, ...entries.flatMap((e, i) => e.done.map((d) => `[${i}]${d}`)));
    if (rng.int(100) < 15) {
      const m = mutateTree(tree, rng, 2, (p) => !p.includes('.body'));
      what.push(...m.done.map((d) => `frame:${d}`));
      return frameOf(m.tree, tree);
    }
    return framed(encodeAst(tree));
  }
  if (r < 77) {
    const f = pick(rng, ctx.corpus.frames);
    const m = mutateTree(f.tree, rng, 3);
    what.push(`captured:${f.t}${f.kind ? `:${f.kind}` : ''}`, ...m.done);
    return frameOf(m.tree, f.tree);
  }
  if (r < 85) {
    const v = pick(rng, ctx.corpus.vectors);
    what.push(`vector:${v.name}`);
    return v.bytes;
  }
  if (r < 95) return sequence(rng, ctx, fctx, what);
  what.push('noise');
  return rng.int(2) === 0 ? rng.bytes(1 + rng.int(256)) : Buffer.concat([Buffer.from(pick(rng, ['00000000', '00100000', '00100001', 'ffffffff', '7fffffff']), 'hex'), rng.bytes(rng.int(16))]);
}

/** Valid messages in an order or a state that is not: duplicates, sync after done, bursts. */
function sequence(rng: SeededRandom, ctx: GenContext, fctx: ForgeContext, what: string[]): Buffer {
  const events = ctx.corpus.events;
  switch (rng.int(5)) {
    case 0: {
      const f = framed(encodeAst(eventTree(forge(pick(rng, events), fctx, 0), 0)));
      what.push('seq:duplicate-event');
      return Buffer.concat([f, f]);
    }
    case 1: {
      what.push('seq:sync-after-done');
      const a = framed(encodeAst(syncTree([forge(pick(rng, events), fctx, 0)], true)));
      const b = framed(encodeAst(syncTree([forge(pick(rng, events), fctx, 0)], rng.int(2) === 0)));
      return Buffer.concat([a, b]);
    }
    case 2: {
      const n = 2 + rng.int(7);
      what.push(`seq:burst:${n}`);
      return Buffer.concat(Array.from({ length: n }, () => framed(encodeAst(eventTree(forge(pick(rng, events), fctx, 0.3), rng.int(3))))));
    }
    case 3: {
      what.push('seq:ping-pong');
      const n = pick(rng, [0, 1, 2 ** 32, 2 ** 53 - 1]);
      return Buffer.concat([encodeFrame({ t: 'pong', n }), encodeFrame({ t: 'ping', n })]);
    }
    default: {
      what.push('seq:handshake-again');
      return encodeFrame(makeHello(ctx.linkIdentity, 0, 'fuzz', ctx.now, rng.bytes(32)));
    }
  }
}
