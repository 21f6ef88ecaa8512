/**
 * A MessagePack writer for attack tests: the test chooses every header. It writes any
 * integer at any width, floats where integers belong, duplicate and non-str keys, maps
 * and arrays whose count lies, str payloads that are not UTF-8, ext types, deep
 * nesting and raw bytes — everything the strict reader (src/wire/strict-decode.ts)
 * must refuse, and every legal encoding it must accept.
 *
 *   encode(map([['t', 'ping'], ['n', int(1, 'u64')], ['n', 2]]))   // duplicate key
 *   frame({ t: 'ping', n: float(1) })                              // 1.0 for an integer
 *
 * Plain JS values are written the way a conformant encoder would (smallest header;
 * a non-integer number as float 64), or at the widest legal encoding with
 * `{ widest: true }`. Nothing here checks the result: that is the point.
 */

export type IntWidth = 'fixint' | 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64';
/** `fix` = fixstr/fixarray/fixmap (bin has none). */
export type LenWidth = 'fix' | 8 | 16 | 32;

export type Input = Adv | number | bigint | string | boolean | null | Uint8Array | readonly Input[] | { readonly [k: string]: Input };

interface Options {
  widest: boolean;
}

/** A value with its encoding chosen. */
export class Adv {
  constructor(readonly write: (out: number[], opts: Options) => void) {}
}

const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);

function pushBE(out: number[], v: bigint, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
}

function pushBytes(out: number[], bytes: Uint8Array): void {
  for (const b of bytes) out.push(b);
}

const INT_WIDTHS: Record<IntWidth, { code: number | null; bytes: number; min: bigint; max: bigint }> = {
  fixint: { code: null, bytes: 0, min: -32n, max: 127n },
  u8: { code: 0xcc, bytes: 1, min: 0n, max: 0xffn },
  u16: { code: 0xcd, bytes: 2, min: 0n, max: 0xffffn },
  u32: { code: 0xce, bytes: 4, min: 0n, max: 0xffffffffn },
  u64: { code: 0xcf, bytes: 8, min: 0n, max: MAX_U64 },
  i8: { code: 0xd0, bytes: 1, min: -0x80n, max: 0x7fn },
  i16: { code: 0xd1, bytes: 2, min: -0x8000n, max: 0x7fffn },
  i32: { code: 0xd2, bytes: 4, min: -0x80000000n, max: 0x7fffffffn },
  i64: { code: 0xd3, bytes: 8, min: MIN_I64, max: (1n << 63n) - 1n },
};

function smallestInt(v: bigint): IntWidth {
  if (v >= -32n && v <= 127n) return 'fixint';
  if (v >= 0n) return v <= 0xffn ? 'u8' : v <= 0xffffn ? 'u16' : v <= 0xffffffffn ? 'u32' : 'u64';
  return v >= -0x80n ? 'i8' : v >= -0x8000n ? 'i16' : v >= -0x80000000n ? 'i32' : 'i64';
}

/** An integer at the given width (default: the smallest). Throws if it does not fit: a test bug. */
export function int(value: number | bigint, width?: IntWidth): Adv {
  const v = BigInt(value);
  return new Adv((out, opts) => {
    const w = width ?? (opts.widest ? (v < 0n ? 'i64' : 'u64') : smallestInt(v));
    const spec = INT_WIDTHS[w];
    if (v < spec.min || v > spec.max) throw new RangeError(`${v} does not fit ${w}`);
    if (spec.code === null) out.push(Number(v < 0n ? v + 256n : v));
    else {
      out.push(spec.code);
      pushBE(out, v < 0n ? v + (1n << BigInt(8 * spec.bytes)) : v, spec.bytes);
    }
  });
}

/** A float 32 or float 64, whatever the value (1.0 included). */
export function float(value: number, bits: 32 | 64 = 64): Adv {
  return new Adv((out) => {
    const b = Buffer.alloc(bits / 8);
    if (bits === 32) b.writeFloatBE(value);
    else b.writeDoubleBE(value);
    out.push(bits === 32 ? 0xca : 0xcb);
    pushBytes(out, b);
  });
}

function lenHeader(out: number[], width: LenWidth, length: number, codes: { fix?: number; fixMax?: number; 8?: number; 16: number; 32: number }): void {
  if (width === 'fix') {
    if (codes.fix === undefined || length > (codes.fixMax ?? 0)) throw new RangeError(`length ${length} has no fix form here`);
    out.push(codes.fix | length);
  } else {
    const code = codes[width];
    if (code === undefined) throw new RangeError(`no ${width}-bit form here`);
    if (length >= 2 ** width) throw new RangeError(`length ${length} does not fit ${width} bits`);
    out.push(code);
    pushBE(out, BigInt(length), width / 8);
  }
}

/** str and bin have an 8-bit length form; arrays and maps do not. */
function smallestLen(length: number, fixMax: number | null, has8 = true): LenWidth {
  if (fixMax !== null && length <= fixMax) return 'fix';
  return has8 && length <= 0xff ? 8 : length <= 0xffff ? 16 : 32;
}

export interface LenOptions {
  width?: LenWidth;
  /** Written in the header instead of the real length/count: a lie. */
  length?: number;
}

const STR_CODES = { fix: 0xa0, fixMax: 31, 8: 0xd9, 16: 0xda, 32: 0xdb };
const BIN_CODES = { 8: 0xc4, 16: 0xc5, 32: 0xc6 };
const ARRAY_CODES = { fix: 0x90, fixMax: 15, 16: 0xdc, 32: 0xdd };
const MAP_CODES = { fix: 0x80, fixMax: 15, 16: 0xde, 32: 0xdf };

/** A str; given bytes, those are its payload as they are (e.g. invalid UTF-8). */
export function str(s: string | Uint8Array, opts: LenOptions = {}): Adv {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return new Adv((out, o) => {
    const length = opts.length ?? bytes.length;
    lenHeader(out, opts.width ?? (o.widest ? 32 : smallestLen(length, 31)), length, STR_CODES);
    pushBytes(out, bytes);
  });
}

/** A bin; a string argument is hex. */
export function bin(b: Uint8Array | string, opts: Omit<LenOptions, 'width'> & { width?: 8 | 16 | 32 } = {}): Adv {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'hex') : b;
  return new Adv((out, o) => {
    const length = opts.length ?? bytes.length;
    lenHeader(out, opts.width ?? (o.widest ? 32 : smallestLen(length, null)), length, BIN_CODES);
    pushBytes(out, bytes);
  });
}

export function array(items: readonly Input[], opts: Omit<LenOptions, 'length'> & { count?: number } = {}): Adv {
  return new Adv((out, o) => {
    const count = opts.count ?? items.length;
    lenHeader(out, opts.width === 8 ? bad8() : (opts.width ?? (o.widest ? 32 : smallestLen(count, 15, false))), count, ARRAY_CODES);
    for (const item of items) write(out, item, o);
  });
}

/**
 * A map from entries, in order: keys may repeat and may be any value (an int, a bin,
 * nil...). A plain object works too (str keys, no repeats).
 */
export function map(entries: ReadonlyArray<readonly [Input, Input]> | { readonly [k: string]: Input }, opts: Omit<LenOptions, 'length'> & { count?: number } = {}): Adv {
  const list = Array.isArray(entries) ? (entries as ReadonlyArray<readonly [Input, Input]>) : Object.entries(entries);
  return new Adv((out, o) => {
    const count = opts.count ?? list.length;
    lenHeader(out, opts.width === 8 ? bad8() : (opts.width ?? (o.widest ? 32 : smallestLen(count, 15, false))), count, MAP_CODES);
    for (const [k, v] of list) {
      write(out, k, o);
      write(out, v, o);
    }
  });
}

function bad8(): never {
  throw new RangeError('arrays and maps have no 8-bit form');
}

const FIXEXT: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };

/** An extension value (type −128..127); fixext when the length allows, else ext 8/16/32. */
export function ext(type: number, data: Uint8Array, width?: 'fix' | 8 | 16 | 32): Adv {
  return new Adv((out) => {
    const w = width ?? (FIXEXT[data.length] !== undefined ? 'fix' : data.length <= 0xff ? 8 : data.length <= 0xffff ? 16 : 32);
    if (w === 'fix') out.push(FIXEXT[data.length]);
    else {
      out.push({ 8: 0xc7, 16: 0xc8, 32: 0xc9 }[w]);
      pushBE(out, BigInt(data.length), w / 8);
    }
    out.push(type & 0xff);
    pushBytes(out, data);
  });
}

/** Bytes written as they are (hex string or bytes): a reserved byte, a cut value, anything. */
export function raw(bytes: Uint8Array | string): Adv {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'hex') : bytes;
  return new Adv((out) => pushBytes(out, b));
}

export const nil = raw('c0');

/**
 * `levels` maps or arrays nested around `leaf`: nest(1, 0) = [0], nest(2, 0) = [[0]]
 * (maps: {"a": {"a": 0}}). So nest(n, …) has depth n in PROTOCOL.md §3's counting.
 */
export function nest(levels: number, leaf: Input, kind: 'array' | 'map' = 'array'): Input {
  let v: Input = leaf;
  for (let i = 0; i < levels; i++) v = kind === 'array' ? array([v]) : map([['a', v]]);
  return v;
}

function write(out: number[], v: Input, o: Options): void {
  if (v instanceof Adv) return v.write(out, o);
  if (v === null) return void out.push(0xc0);
  if (typeof v === 'boolean') return void out.push(v ? 0xc3 : 0xc2);
  if (typeof v === 'bigint') return int(v).write(out, o);
  if (typeof v === 'number') return (Number.isInteger(v) ? int(v) : float(v)).write(out, o);
  if (typeof v === 'string') return str(v).write(out, o);
  if (v instanceof Uint8Array) return bin(v).write(out, o);
  if (Array.isArray(v)) return array(v).write(out, o);
  return map(v as { readonly [k: string]: Input }).write(out, o);
}

/** The bytes of `value`; `widest` writes every part not given a width at its widest legal encoding. */
export function encode(value: Input, opts: Partial<Options> = {}): Buffer {
  const out: number[] = [];
  write(out, value, { widest: opts.widest ?? false });
  return Buffer.from(out);
}

/** A frame: uint32 BE length (the real one unless `length` lies), then the payload. */
export function frame(payload: Input | Buffer, opts: { length?: number; widest?: boolean } = {}): Buffer {
  const p = Buffer.isBuffer(payload) ? payload : encode(payload, { widest: opts.widest });
  const head = Buffer.alloc(4);
  head.writeUInt32BE(opts.length ?? p.length);
  return Buffer.concat([head, p]);
}
