/**
 * MessagePack as a tree that remembers how each value was written (integer width,
 * header width, a lying length or count), so the mutators can change one thing — the
 * width of one integer, the count of one map — and write everything else back exactly
 * as it came. Reading is tolerant (floats, ext types and non-str keys are read, never
 * refused): the tree is the fuzzer's material, not a message. Writing goes through the
 * adversary encoder of the tests (test/support/adversary-msgpack.ts), which writes any
 * header the tree asks for.
 */
import * as adv from '../test/support/adversary-msgpack';
import type { IntWidth } from '../test/support/adversary-msgpack';

export type { IntWidth };
export type ArrayWidth = 'fix' | 16 | 32;

export type Node =
  | { k: 'int'; v: bigint; w: IntWidth }
  | { k: 'float'; v: number; bits: 32 | 64 }
  | { k: 'str'; b: Buffer; w: 'fix' | 8 | 16 | 32; len?: number }
  | { k: 'bin'; b: Buffer; w: 8 | 16 | 32; len?: number }
  | { k: 'arr'; items: Node[]; w: ArrayWidth; count?: number }
  | { k: 'map'; entries: Array<[Node, Node]>; w: ArrayWidth; count?: number }
  | { k: 'nil' }
  | { k: 'bool'; v: boolean }
  | { k: 'ext'; type: number; data: Buffer; w: 'fix' | 8 | 16 | 32 }
  | { k: 'raw'; b: Buffer };

/** Thrown for bytes that are not one whole MessagePack value (the corpus never is). */
export class AstError extends Error {
  readonly code = 'AST_UNREADABLE';
}

/** Reads exactly one value, keeping every width. */
export function parseAst(bytes: Uint8Array): Node {
  const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = { pos: 0 };
  const node = readNode(src, r);
  if (r.pos !== src.length) throw new AstError(`${src.length - r.pos} trailing bytes`);
  return node;
}

function take(src: Buffer, r: { pos: number }, n: number): Buffer {
  if (r.pos + n > src.length) throw new AstError(`truncated at byte ${r.pos}`);
  r.pos += n;
  return src.subarray(r.pos - n, r.pos);
}

function uintBE(b: Buffer): number {
  return b.length === 1 ? b[0] : b.length === 2 ? b.readUInt16BE(0) : b.readUInt32BE(0);
}

const INT_CODES: Record<number, { w: IntWidth; bytes: number; signed: boolean }> = {
  0xcc: { w: 'u8', bytes: 1, signed: false },
  0xcd: { w: 'u16', bytes: 2, signed: false },
  0xce: { w: 'u32', bytes: 4, signed: false },
  0xcf: { w: 'u64', bytes: 8, signed: false },
  0xd0: { w: 'i8', bytes: 1, signed: true },
  0xd1: { w: 'i16', bytes: 2, signed: true },
  0xd2: { w: 'i32', bytes: 4, signed: true },
  0xd3: { w: 'i64', bytes: 8, signed: true },
};

function readNode(src: Buffer, r: { pos: number }): Node {
  const b = take(src, r, 1)[0];
  if (b <= 0x7f) return { k: 'int', v: BigInt(b), w: 'fixint' };
  if (b >= 0xe0) return { k: 'int', v: BigInt(b - 0x100), w: 'fixint' };
  if (b >= 0xa0 && b <= 0xbf) return { k: 'str', b: take(src, r, b & 0x1f), w: 'fix' };
  if (b >= 0x80 && b <= 0x8f) return readMap(src, r, b & 0x0f, 'fix');
  if (b >= 0x90 && b <= 0x9f) return readArr(src, r, b & 0x0f, 'fix');
  const int = INT_CODES[b];
  if (int) {
    const raw = take(src, r, int.bytes);
    let v = 0n;
    for (const x of raw) v = (v << 8n) | BigInt(x);
    if (int.signed && raw[0] >= 0x80) v -= 1n << BigInt(8 * int.bytes);
    return { k: 'int', v, w: int.w };
  }
  switch (b) {
    case 0xc0:
      return { k: 'nil' };
    case 0xc2:
    case 0xc3:
      return { k: 'bool', v: b === 0xc3 };
    case 0xc4:
    case 0xc5:
    case 0xc6: {
      const w = b === 0xc4 ? 8 : b === 0xc5 ? 16 : 32;
      return { k: 'bin', b: take(src, r, uintBE(take(src, r, w / 8))), w };
    }
    case 0xca:
      return { k: 'float', v: take(src, r, 4).readFloatBE(0), bits: 32 };
    case 0xcb:
      return { k: 'float', v: take(src, r, 8).readDoubleBE(0), bits: 64 };
    case 0xd9:
    case 0xda:
    case 0xdb: {
      const w = b === 0xd9 ? 8 : b === 0xda ? 16 : 32;
      return { k: 'str', b: take(src, r, uintBE(take(src, r, w / 8))), w };
    }
    case 0xdc:
    case 0xdd:
      return readArr(src, r, uintBE(take(src, r, b === 0xdc ? 2 : 4)), b === 0xdc ? 16 : 32);
    case 0xde:
    case 0xdf:
      return readMap(src, r, uintBE(take(src, r, b === 0xde ? 2 : 4)), b === 0xde ? 16 : 32);
    case 0xc7:
    case 0xc8:
    case 0xc9: {
      const w = b === 0xc7 ? 8 : b === 0xc8 ? 16 : 32;
      const len = uintBE(take(src, r, w / 8));
      const type = take(src, r, 1).readInt8(0);
      return { k: 'ext', type, data: take(src, r, len), w };
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: {
      const len = 1 << (b - 0xd4);
      const type = take(src, r, 1).readInt8(0);
      return { k: 'ext', type, data: take(src, r, len), w: 'fix' };
    }
    default:
      return { k: 'raw', b: Buffer.from([b]) };
  }
}

function readArr(src: Buffer, r: { pos: number }, count: number, w: ArrayWidth): Node {
  const items: Node[] = [];
  for (let i = 0; i < count; i++) items.push(readNode(src, r));
  return { k: 'arr', items, w };
}

function readMap(src: Buffer, r: { pos: number }, count: number, w: ArrayWidth): Node {
  const entries: Array<[Node, Node]> = [];
  for (let i = 0; i < count; i++) entries.push([readNode(src, r), readNode(src, r)]);
  return { k: 'map', entries, w };
}

function toInput(n: Node): adv.Input {
  switch (n.k) {
    case 'int':
      return adv.int(n.v, n.w);
    case 'float':
      return adv.float(n.v, n.bits);
    case 'str':
      return adv.str(n.b, { width: n.w, length: n.len });
    case 'bin':
      return adv.bin(n.b, { width: n.w, length: n.len });
    case 'arr':
      return adv.array(n.items.map(toInput), { width: n.w, count: n.count });
    case 'map':
      return adv.map(
        n.entries.map(([k, v]) => [toInput(k), toInput(v)] as const),
        { width: n.w, count: n.count },
      );
    case 'nil':
      return null;
    case 'bool':
      return n.v;
    case 'ext':
      return adv.ext(n.type, n.data, n.w);
    case 'raw':
      return adv.raw(n.b);
  }
}

/** The tree's bytes. Throws RangeError when a header cannot hold what the tree says (a mutation to discard). */
export function encodeAst(n: Node): Buffer {
  return adv.encode(toInput(n));
}

// ---- building nodes (smallest encoding, as a conformant sender writes) ---------------

export function intNode(v: number | bigint): Node {
  const b = BigInt(v);
  return { k: 'int', v: b, w: smallestIntWidth(b) };
}

export function strNode(s: string | Buffer): Node {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return { k: 'str', b, w: b.length <= 31 ? 'fix' : b.length <= 0xff ? 8 : b.length <= 0xffff ? 16 : 32 };
}

export function binNode(b: Buffer): Node {
  return { k: 'bin', b, w: b.length <= 0xff ? 8 : b.length <= 0xffff ? 16 : 32 };
}

export function arrNode(items: Node[]): Node {
  return { k: 'arr', items, w: items.length <= 15 ? 'fix' : items.length <= 0xffff ? 16 : 32 };
}

export function mapNode(entries: Array<[Node, Node]>): Node {
  return { k: 'map', entries, w: entries.length <= 15 ? 'fix' : entries.length <= 0xffff ? 16 : 32 };
}

export function smallestIntWidth(v: bigint): IntWidth {
  if (v >= -32n && v <= 127n) return 'fixint';
  if (v >= 0n) return v <= 0xffn ? 'u8' : v <= 0xffffn ? 'u16' : v <= 0xffffffffn ? 'u32' : 'u64';
  return v >= -0x80n ? 'i8' : v >= -0x8000n ? 'i16' : v >= -0x80000000n ? 'i32' : 'i64';
}

/** Every integer width that can hold `v` (the wire allows any of them). */
export function widthsFor(v: bigint): IntWidth[] {
  const all: Array<[IntWidth, bigint, bigint]> = [
    ['fixint', -32n, 127n],
    ['u8', 0n, 0xffn],
    ['u16', 0n, 0xffffn],
    ['u32', 0n, 0xffffffffn],
    ['u64', 0n, (1n << 64n) - 1n],
    ['i8', -0x80n, 0x7fn],
    ['i16', -0x8000n, 0x7fffn],
    ['i32', -0x80000000n, 0x7fffffffn],
    ['i64', -(1n << 63n), (1n << 63n) - 1n],
  ];
  return all.filter(([, min, max]) => v >= min && v <= max).map(([w]) => w);
}

/** The str key of a map entry, as text, or null. */
export function keyText(k: Node): string | null {
  return k.k === 'str' ? k.b.toString('utf8') : null;
}

/** The value under str key `key` of a map node, or undefined. */
export function field(map: Node, key: string): Node | undefined {
  if (map.k !== 'map') return undefined;
  return map.entries.find(([k]) => keyText(k) === key)?.[1];
}

/** Replaces (or adds) the value under str key `key`. */
export function setField(map: Node, key: string, value: Node): void {
  if (map.k !== 'map') return;
  const e = map.entries.find(([k]) => keyText(k) === key);
  if (e) e[1] = value;
  else map.entries.push([strNode(key), value]);
}

/** A deep copy (mutations never touch the corpus). Buffers are shared: nothing writes into them. */
export function cloneAst(n: Node): Node {
  switch (n.k) {
    case 'arr':
      return { ...n, items: n.items.map(cloneAst) };
    case 'map':
      return { ...n, entries: n.entries.map(([k, v]) => [cloneAst(k), cloneAst(v)] as [Node, Node]) };
    default:
      return { ...n };
  }
}

/** A place in the tree a mutator may rewrite. */
export interface Slot {
  get(): Node;
  set(n: Node): void;
  /** Readable path, e.g. `data.price` or `events[2]`; a map key slot ends in `#key`. */
  path: string;
  depth: number;
  isKey: boolean;
}

/** Every slot of the tree, the root first. */
export function slots(root: { node: Node }): Slot[] {
  const out: Slot[] = [];
  const visit = (get: () => Node, set: (n: Node) => void, path: string, depth: number, isKey: boolean): void => {
    out.push({ get, set, path, depth, isKey });
    const n = get();
    if (n.k === 'arr') {
      n.items.forEach((_, i) => visit(() => n.items[i], (x) => (n.items[i] = x), `${path}[${i}]`, depth + 1, false));
    } else if (n.k === 'map') {
      n.entries.forEach((e, i) => {
        const name = keyText(e[0]) ?? `<${e[0].k}>`;
        const at = path === '' ? name : `${path}.${name}`;
        visit(() => n.entries[i][0], (x) => (n.entries[i][0] = x), `${at}#key`, depth + 1, true);
        visit(() => n.entries[i][1], (x) => (n.entries[i][1] = x), at, depth + 1, false);
      });
    }
  };
  visit(() => root.node, (x) => (root.node = x), '', 0, false);
  return out;
}
