import { Packr, Unpackr } from 'msgpackr';

/**
 * The MessagePack dialect of the protocol: plain MessagePack only, so a peer written
 * with any MessagePack library can join. msgpackr's own extensions (records, structured
 * clone, bundled strings) are off; maps decode to plain objects with string keys.
 */
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  bundleStrings: false,
  variableMapSize: true,
  encodeUndefinedAsNil: true,
});

const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  mapsAsObjects: true,
  // Other libraries encode small integers as int64/uint64 too; those must decode to
  // numbers. Anything beyond 2^53 stays a bigint, which every schema then rejects.
  // ('auto' exists in msgpackr 1.10+ but is missing from its typings.)
  int64AsType: 'auto' as 'number',
});

/** Max nesting of app payloads: bounds the work of validating and encoding them. */
export const MAX_DEPTH = 16;

/** Thrown by `toWire` for values that plain MessagePack (or this protocol) cannot carry. */
export class NotPlainError extends Error {
  readonly code = 'NOT_PLAIN';
}

/**
 * Checks that `value` is plain data and returns a copy ready for `pack`. msgpackr
 * writes integers beyond 32 bits as float64; a satoshi amount or a millisecond
 * timestamp must stay an integer for a peer in another language, so those become
 * BigInt here and are written as int64.
 */
export function toWire(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new NotPlainError(`nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotPlainError('non-finite number');
    if (Number.isInteger(value) && (value > 0xffffffff || value < -0x80000000)) {
      if (!Number.isSafeInteger(value)) throw new NotPlainError('integer beyond 2^53');
      return BigInt(value);
    }
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => toWire(v, depth + 1));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toWire(v, depth + 1);
    }
    return out;
  }
  throw new NotPlainError(`cannot carry a ${Object.prototype.toString.call(value)}`);
}

/** True when a decoded value holds nothing but plain MessagePack data (no extension types). */
export function isPlainDecoded(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) return value.every((v) => isPlainDecoded(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).every((v) => isPlainDecoded(v, depth + 1));
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Encodes an already plain value (see `toWire`). */
export function pack(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes exactly one value; throws (msgpackr's error) on truncated or trailing bytes. */
export function unpack(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
