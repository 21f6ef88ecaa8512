import { Packr } from 'msgpackr';
import { MAX_DEPTH } from './strict-decode';

export { MAX_DEPTH };

/**
 * The encoding side of the protocol's MessagePack profile (docs/PROTOCOL.md §3); the
 * reading side is strict-decode.ts. msgpackr writes plain MessagePack only: its own
 * extensions (records, structured clone, bundled strings) are off. `toWire` first makes
 * sure a value is one the strict reader accepts, so this node never sends (or relays)
 * what it would refuse itself.
 */
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  bundleStrings: false,
  variableMapSize: true,
});

/** Thrown by `toWire` for values that the profile (or this protocol) cannot carry. */
export class NotPlainError extends Error {
  readonly code = 'NOT_PLAIN';
}

/**
 * Checks that `value` is plain data of the profile and returns a copy ready for `pack`:
 * integers within ±(2^53 − 1) (no floats: v1 carries none), well-formed strings, bytes,
 * arrays, maps with str keys, booleans and null, at most MAX_DEPTH deep. Keys whose value
 * is `undefined` are left out (an absent optional field). msgpackr writes integers beyond
 * 32 bits as float64; a satoshi amount or a millisecond timestamp must stay an integer,
 * so those become BigInt here and are written as int 64.
 */
export function toWire(value: unknown): unknown {
  return copy(value, 1);
}

/** `level` is the depth `value` has if it is a map or an array (strict-decode.ts MAX_DEPTH). */
function copy(value: unknown, level: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    // A lone surrogate would be written as invalid UTF-8, which every strict reader refuses.
    if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new NotPlainError('string with a lone surrogate');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new NotPlainError(`${value} is not an integer: protocol v1 carries no floats`);
    if (!Number.isSafeInteger(value)) throw new NotPlainError('integer beyond 2^53 - 1');
    return value > 0xffffffff || value < -0x80000000 ? BigInt(value) : value;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value) || isPlainObject(value)) {
    if (level > MAX_DEPTH) throw new NotPlainError(`nested deeper than ${MAX_DEPTH}`);
  }
  if (Array.isArray(value)) {
    return value.map((v) => {
      if (v === undefined) throw new NotPlainError('undefined in an array');
      return copy(v, level + 1);
    });
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (!(k as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new NotPlainError('key with a lone surrogate');
      const c = copy(v, level + 1);
      if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
      else out[k] = c;
    }
    return out;
  }
  throw new NotPlainError(`cannot carry a ${Object.prototype.toString.call(value)}`);
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
