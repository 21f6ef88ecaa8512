/**
 * Structure-aware mutations of one MessagePack tree (ast.ts): each changes one thing
 * the strict reader or a schema must notice — a width, a type, a length, a key, a
 * depth — and leaves the rest as it was, so the change reaches the check that owns it
 * instead of being refused at the first byte. All randomness comes from the caller's
 * SeededRandom: one seed, one mutation.
 */
import type { SeededRandom } from '../src/clock/seeded-random';
import { MAX_DEPTH } from '../src/wire/strict-decode';
import { arrNode, binNode, cloneAst, intNode, keyText, mapNode, type Node, type Slot, slots, smallestIntWidth, strNode, widthsFor } from './ast';

/**
 * Integers every field is tried at: the edges of each wire width and of the protocol's
 * ±(2^53 − 1), where an off-by-one in a bound or a lossy Number conversion shows.
 */
export const BOUNDARY_INTS: readonly bigint[] = [
  0n, 1n, -1n, 2n, 31n, 32n, 127n, 128n, 255n, 256n, 0xffffn, 0x10000n,
  2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n,
  2n ** 48n - 1n, 2n ** 48n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n - 1n), -(2n ** 53n),
  2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n,
  // The exchange's own bounds: 21 M BTC in sats, 10 M USD in cents.
  2_100_000_000_000_000n, 2_100_000_000_000_001n, 1_000_000_000n, 1_000_000_001n,
];

/** Keys the protocol uses, for extra and renamed keys that look almost right. */
const KNOWN_KEYS = ['t', 'v', 'id', 'port', 'nonce', 'agent', 'ts', 'sig', 'code', 'message', 'n', 'peers', 'host', 'body', 'hops', 'events', 'done', 'origin', 'kind', 'data', 'side', 'price', 'amount', 'order', 'deadline', 'seq', 'filled', 'status', 'add', 'addSig', 'accept', 'taker', 'reason', 'acceptBody', 'acceptSig', 'trade', '__proto__', 'constructor', 'toString', 'T', ''];

/** Str payloads that are not what a reader expects: bad UTF-8, odd text, edge lengths. */
function oddStrBytes(rng: SeededRandom): Buffer {
  const choices: Array<() => Buffer> = [
    () => Buffer.from([0xc0, 0xaf]), // overlong '/'
    () => Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
    () => Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    () => Buffer.from([0xe2, 0x82]), // a cut sequence
    () => Buffer.from([0xff]),
    () => Buffer.from('\ufeffhello', 'utf8'),
    () => Buffer.from('é'.repeat(rng.int(40)), 'utf8'),
    () => Buffer.from('x'.repeat([0, 1, 35, 36, 37, 63, 64, 65, 255, 256, 257][rng.int(11)])),
    () => Buffer.from('0'.repeat(64)),
    () => Buffer.from('\u0000'),
    () => rng.bytes(rng.int(48)),
  ];
  return choices[rng.int(choices.length)]();
}

function pick<T>(rng: SeededRandom, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

/** A value of any type, small: what a type swap puts in a field's place. */
export function randomNode(rng: SeededRandom, depth = 0): Node {
  switch (rng.int(depth > 2 ? 8 : 10)) {
    case 0:
      return { k: 'nil' };
    case 1:
      return { k: 'bool', v: rng.int(2) === 1 };
    case 2:
      return intNode(pick(rng, BOUNDARY_INTS));
    case 3:
      return { k: 'float', v: pick(rng, [0, 1, -1, 0.5, 1e21, NaN, Infinity, 2 ** 53]), bits: rng.int(2) === 0 ? 32 : 64 };
    case 4:
      return strNode(oddStrBytes(rng));
    case 5:
      return strNode(pick(rng, KNOWN_KEYS));
    case 6:
      return binNode(rng.bytes(pick(rng, [0, 1, 16, 31, 32, 33, 63, 64, 65])));
    case 7:
      return { k: 'ext', type: pick(rng, [-1, 0, 1, 127, -128]), data: rng.bytes(pick(rng, [1, 2, 4, 8, 16])), w: 'fix' };
    case 8:
      return arrNode(Array.from({ length: rng.int(3) }, () => randomNode(rng, depth + 1)));
    default:
      return mapNode(Array.from({ length: rng.int(3) }, () => [strNode(pick(rng, KNOWN_KEYS)), randomNode(rng, depth + 1)] as [Node, Node]));
  }
}

/** Wraps `n` in `levels` arrays or single-key maps. */
function nestNode(n: Node, levels: number, asMap: boolean): Node {
  let v = n;
  for (let i = 0; i < levels; i++) v = asMap ? mapNode([[strNode('a'), v]]) : arrNode([v]);
  return v;
}

/** A header length or count that is not the real one. */
function lie(rng: SeededRandom, real: number, width: 'fix' | 8 | 16 | 32): number {
  const max = width === 'fix' ? 15 : 2 ** width - 1;
  const options = [real + 1, real - 1, 0, max, real + 2, Math.floor(real / 2), real * 2].filter((x) => x >= 0 && x <= max && x !== real);
  return options.length > 0 ? pick(rng, options) : real;
}

type Mutator = (slot: Slot, rng: SeededRandom) => boolean;

/** Named so a finding says what was done: `intWidth at data.price`. */
export const MUTATORS: Record<string, Mutator> = {
  intWidth(s, rng) {
    const n = s.get();
    if (n.k !== 'int') return false;
    const others = widthsFor(n.v).filter((w) => w !== n.w);
    if (others.length === 0) return false;
    s.set({ ...n, w: pick(rng, others) });
    return true;
  },
  intFloat(s, rng) {
    const n = s.get();
    if (n.k === 'int') {
      s.set({ k: 'float', v: Number(n.v), bits: rng.int(3) === 0 ? 32 : 64 });
      return true;
    }
    if (n.k === 'float' && Number.isInteger(n.v) && Math.abs(n.v) < 2 ** 63) {
      s.set(intNode(BigInt(n.v)));
      return true;
    }
    return false;
  },
  boundary(s, rng) {
    const n = s.get();
    if (s.isKey || (n.k !== 'int' && n.k !== 'float' && n.k !== 'nil' && n.k !== 'bool')) return false;
    const v = pick(rng, BOUNDARY_INTS);
    const widths = widthsFor(v);
    if (widths.length === 0) return false;
    // Mostly the smallest form, sometimes another legal one: both must read the same.
    s.set({ k: 'int', v, w: rng.int(3) === 0 ? pick(rng, widths) : smallestIntWidth(v) });
    return true;
  },
  typeSwap(s, rng) {
    s.set(randomNode(rng));
    return true;
  },
  lengthLie(s, rng) {
    const n = s.get();
    if (n.k === 'str' || n.k === 'bin') {
      const len = lie(rng, n.b.length, n.w);
      if (len === n.b.length) return false;
      s.set({ ...n, len });
      return true;
    }
    if (n.k === 'arr' || n.k === 'map') {
      const real = n.k === 'arr' ? n.items.length : n.entries.length;
      const count = lie(rng, real, n.w);
      if (count === real) return false;
      s.set({ ...n, count });
      return true;
    }
    return false;
  },
  headerWidth(s, rng) {
    const n = s.get();
    if (n.k === 'str') {
      const ws = (['fix', 8, 16, 32] as const).filter((w) => w !== n.w && (w !== 'fix' || n.b.length <= 31) && (w !== 8 || n.b.length <= 0xff));
      s.set({ ...n, w: pick(rng, ws) });
      return true;
    }
    if (n.k === 'bin') {
      const ws = ([8, 16, 32] as const).filter((w) => w !== n.w && (w !== 8 || n.b.length <= 0xff));
      if (ws.length === 0) return false;
      s.set({ ...n, w: pick(rng, ws) });
      return true;
    }
    if (n.k === 'arr' || n.k === 'map') {
      const size = n.k === 'arr' ? n.items.length : n.entries.length;
      const ws = (['fix', 16, 32] as const).filter((w) => w !== n.w && (w !== 'fix' || size <= 15));
      s.set({ ...n, w: pick(rng, ws) });
      return true;
    }
    return false;
  },
  duplicateKey(s, rng) {
    const n = s.get();
    if (n.k !== 'map' || n.entries.length === 0) return false;
    const [k, v] = pick(rng, n.entries);
    const copy: [Node, Node] = [cloneAst(k), rng.int(2) === 0 ? cloneAst(v) : randomNode(rng)];
    const entries = [...n.entries];
    entries.splice(rng.int(entries.length + 1), 0, copy);
    s.set({ ...n, entries, w: entries.length > 15 && n.w === 'fix' ? 16 : n.w });
    return true;
  },
  extraKey(s, rng) {
    const n = s.get();
    if (n.k !== 'map') return false;
    const key = rng.int(3) === 0 ? strNode(oddStrBytes(rng)) : strNode(pick(rng, KNOWN_KEYS));
    const entries = [...n.entries, [key, randomNode(rng)] as [Node, Node]];
    s.set({ ...n, entries, w: entries.length > 15 && n.w === 'fix' ? 16 : n.w });
    return true;
  },
  dropKey(s, rng) {
    const n = s.get();
    if (n.k !== 'map' || n.entries.length === 0) return false;
    const entries = [...n.entries];
    entries.splice(rng.int(entries.length), 1);
    s.set({ ...n, entries });
    return true;
  },
  renameKey(s, rng) {
    const n = s.get();
    if (!s.isKey || n.k !== 'str') return false;
    const text = n.b.toString('utf8');
    const options = [text.toUpperCase(), `${text} `, text.slice(1), `${text}\u0000`, pick(rng, KNOWN_KEYS)].filter((x) => x !== text);
    s.set(strNode(pick(rng, options)));
    return true;
  },
  nonStrKey(s, rng) {
    if (!s.isKey) return false;
    s.set(pick(rng, [intNode(0), intNode(-1), binNode(Buffer.from('t')), { k: 'nil' } as Node, arrNode([]), mapNode([])]));
    return true;
  },
  deepNest(s, rng) {
    if (s.isKey) return false;
    // Around the depth bound, where an off-by-one would let one level too many through.
    const levels = pick(rng, [1, MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 4 * MAX_DEPTH]) - s.depth;
    if (levels < 1) return false;
    s.set(nestNode(s.get(), levels, rng.int(2) === 0));
    return true;
  },
  mapArraySwap(s) {
    const n = s.get();
    if (n.k === 'map') {
      s.set(arrNode(n.entries.flat()));
      return true;
    }
    if (n.k === 'arr') {
      s.set(mapNode(n.items.map((v, i) => [strNode(String(i)), v] as [Node, Node])));
      return true;
    }
    return false;
  },
  strBytes(s, rng) {
    const n = s.get();
    if (n.k !== 'str') return false;
    s.set(strNode(oddStrBytes(rng)));
    return true;
  },
  binBytes(s, rng) {
    const n = s.get();
    if (n.k !== 'bin') return false;
    const len = pick(rng, [0, 1, n.b.length - 1, n.b.length + 1, 32, 64, 300].filter((x) => x >= 0));
    s.set(binNode(Buffer.concat([n.b, rng.bytes(len)]).subarray(0, len)));
    return true;
  },
  strBinSwap(s) {
    const n = s.get();
    if (n.k === 'str') {
      s.set(binNode(n.b));
      return true;
    }
    if (n.k === 'bin') {
      s.set(strNode(n.b));
      return true;
    }
    return false;
  },
  extType(s, rng) {
    if (rng.int(2) === 0) {
      const data = rng.bytes(pick(rng, [1, 2, 4, 8, 16]));
      s.set({ k: 'ext', type: pick(rng, [-1, 0, 5, 127, -128]), data, w: 'fix' });
    } else {
      s.set({ k: 'ext', type: -1, data: rng.bytes(pick(rng, [0, 3, 12, 300])), w: pick(rng, [8, 16, 32] as const) });
    }
    return true;
  },
  reservedByte(s) {
    s.set({ k: 'raw', b: Buffer.from([0xc1]) });
    return true;
  },
  hugeLength(s, rng) {
    const n = s.get();
    // A header that announces gigabytes: the reader must refuse it before allocating.
    if (n.k === 'str' || n.k === 'bin') {
      s.set({ ...n, w: 32, len: pick(rng, [0xffffffff, 0x7fffffff, 0x100000, 0x100001]) });
      return true;
    }
    if (n.k === 'arr' || n.k === 'map') {
      s.set({ ...n, w: 32, count: pick(rng, [0xffffffff, 0x7fffffff, 0x10000]) });
      return true;
    }
    return false;
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/**
 * Mutations whose result is still of the MessagePack profile (some only sometimes):
 * they get past the strict reader to the schemas and the exchange's checks, which the
 * others mostly never reach.
 */
export const SEMANTIC: readonly string[] = ['intWidth', 'boundary', 'typeSwap', 'headerWidth', 'extraKey', 'dropKey', 'renameKey', 'strBytes', 'binBytes', 'strBinSwap', 'mapArraySwap'];

/**
 * Applies 1..`max` mutations to a copy of `tree`, each at a random slot (within
 * `under`'s subtree when given: e.g. an event's `data`), each drawn from `names`. Returns the copy and what was
 * done; an empty list when nothing applied (the caller sends the copy as it is).
 */
export function mutateTree(tree: Node, rng: SeededRandom, max = 3, under?: (path: string) => boolean, names: readonly string[] = MUTATOR_NAMES): { tree: Node; done: string[] } {
  const root = { node: cloneAst(tree) };
  const done: string[] = [];
  const rounds = 1 + rng.int(max);
  for (let r = 0, tries = 0; r < rounds && tries < 24; tries++) {
    const all = slots(root);
    const eligible = under ? all.filter((s) => under(s.path)) : all;
    const slot = pick(rng, eligible.length > 0 ? eligible : all);
    const name = pick(rng, names);
    if (MUTATORS[name](slot, rng)) {
      done.push(`${name}@${slot.path || '<root>'}`);
      r++;
    }
  }
  return { tree: root.node, done };
}

/** True when `path` lies under the map key `key` (`data`, `data.price`, `data#key`...). */
export function within(key: string): (path: string) => boolean {
  return (path) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`) || path.startsWith(`${key}#`);
}

export { keyText };
