import { isUtf8 } from 'node:buffer';
import { cachedKey, MAX_CACHED_KEY, shortAscii } from './ascii';
import { DecodeError } from './errors';

/**
 * The one reading of the protocol's MessagePack profile (docs/PROTOCOL.md §3). msgpackr
 * cannot be made this strict: it cannot report a duplicate key, tell 1.0 from 1, or
 * refuse invalid UTF-8, and two nodes that read the same bytes differently can split
 * the network (one relays what the other shuns).
 *
 * Pure: bytes in, one value out, or a DecodeError naming the rule and the byte offset.
 * A value is made of:
 *   nil → null, true/false, integers (any width) → number, str → string,
 *   bin → Buffer (a view into `bytes`, not a copy), array → Array,
 *   map with str keys → plain object.
 * Everything else is refused: floats, ext types, the unused 0xc1, map keys that are not
 * str, duplicate keys, invalid UTF-8, integers beyond ±(2^53 − 1), nesting beyond
 * MAX_DEPTH, truncated input and trailing bytes.
 */

/**
 * Deepest nesting of maps and arrays in one decoded value. The top value, if a map or
 * an array, is at depth 1; a map or array inside it at depth 2; and so on. Scalars add
 * no depth. The deepest message of v1 (`peers`, `sync`) has depth 3; 16 leaves apps
 * room while keeping the recursion, and the work of validating, shallow.
 */
export const MAX_DEPTH = 16;

/** The largest integer a JavaScript number holds exactly; beyond it values would be rounded. */
const MAX_INT = Number.MAX_SAFE_INTEGER;
const MAX_INT_BIG = BigInt(MAX_INT);

/** ASCII strings shorter than this are built in JS: cheaper than a native slice call. */
const SHORT_STRING = 16;

const EMPTY = Buffer.alloc(0);
let src: Buffer = EMPTY;
let pos = 0;

/** Decodes exactly one value of the profile from `bytes`, or throws DecodeError. */
export function decodeStrict(bytes: Uint8Array): unknown {
  src = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = 0;
  try {
    if (src.length === 0) fail('no value: 0 bytes');
    const value = read(1);
    if (pos !== src.length) fail(`${src.length - pos} trailing bytes after the value`, pos);
    return value;
  } finally {
    // Do not pin the caller's buffer (often a socket chunk) after we return.
    src = EMPTY;
  }
}

function fail(what: string, at = pos): never {
  throw new DecodeError(`${what} (at byte ${at})`);
}

/** Makes sure `n` more bytes exist; a header never makes us allocate what is not there. */
function need(n: number, what: string, at: number): void {
  if (n > src.length - pos) fail(`truncated ${what}: ${n} bytes announced, ${src.length - pos} left`, at);
}

/** `level` is the depth this value has if it is a map or an array. */
function read(level: number): unknown {
  const at = pos;
  if (pos >= src.length) fail('truncated: a value was expected');
  const b = src[pos++];
  if (b <= 0x7f) return b;
  if (b >= 0xe0) return b - 0x100;
  if (b >= 0xa0 && b <= 0xbf) return str(b & 0x1f, at);
  if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f, level, at);
  if (b >= 0x90 && b <= 0x9f) return array(b & 0x0f, level, at);
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return bin(uint(1, at), at);
    case 0xc5:
      return bin(uint(2, at), at);
    case 0xc6:
      return bin(uint(4, at), at);
    case 0xca:
    case 0xcb:
      return fail('a float: protocol v1 carries integers only', at);
    case 0xcc:
      return uint(1, at);
    case 0xcd:
      return uint(2, at);
    case 0xce:
      return uint(4, at);
    case 0xcf:
      return uint64(at);
    case 0xd0:
      need(1, 'int 8', at);
      return src.readInt8(pos++);
    case 0xd1:
      need(2, 'int 16', at);
      pos += 2;
      return src.readInt16BE(pos - 2);
    case 0xd2:
      need(4, 'int 32', at);
      pos += 4;
      return src.readInt32BE(pos - 4);
    case 0xd3:
      return int64(at);
    case 0xd9:
      return str(uint(1, at), at);
    case 0xda:
      return str(uint(2, at), at);
    case 0xdb:
      return str(uint(4, at), at);
    case 0xdc:
      return array(uint(2, at), level, at);
    case 0xdd:
      return array(uint(4, at), level, at);
    case 0xde:
      return map(uint(2, at), level, at);
    case 0xdf:
      return map(uint(4, at), level, at);
    case 0xc1:
      return fail('byte 0xc1 is never used in MessagePack', at);
    default:
      // c7-c9 (ext 8/16/32) and d4-d8 (fixext 1..16).
      return fail(`an extension type (0x${b.toString(16)}): the profile has none`, at);
  }
}

function uint(bytes: 1 | 2 | 4, at: number): number {
  need(bytes, `uint ${bytes * 8}`, at);
  const v = bytes === 1 ? src[pos] : bytes === 2 ? src.readUInt16BE(pos) : src.readUInt32BE(pos);
  pos += bytes;
  return v;
}

function uint64(at: number): number {
  need(8, 'uint 64', at);
  const v = src.readBigUInt64BE(pos);
  pos += 8;
  if (v > MAX_INT_BIG) fail(`integer ${v} beyond 2^53 - 1`, at);
  return Number(v);
}

function int64(at: number): number {
  need(8, 'int 64', at);
  const v = src.readBigInt64BE(pos);
  pos += 8;
  if (v > MAX_INT_BIG || v < -MAX_INT_BIG) fail(`integer ${v} beyond ±(2^53 - 1)`, at);
  return Number(v);
}

function str(length: number, at: number): string {
  need(length, 'str', at);
  const start = pos;
  pos += length;
  let high = 0;
  for (let i = start; i < pos; i++) high |= src[i];
  if (high >= 0x80) return utf8(start, at);
  return length < SHORT_STRING ? shortAscii(src, start, length) : src.toString('latin1', start, pos);
}

/** Non-ASCII text: must be well-formed UTF-8 (no overlong forms, no surrogates, nothing cut). */
function utf8(start: number, at: number): string {
  if (!isUtf8(src.subarray(start, pos))) fail('str is not valid UTF-8', at);
  return src.toString('utf8', start, pos);
}

function bin(length: number, at: number): Buffer {
  need(length, 'bin', at);
  pos += length;
  return src.subarray(pos - length, pos);
}

function array(count: number, level: number, at: number): unknown[] {
  if (level > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`, at);
  // Each item takes at least one byte: a lying count fails here, before any allocation.
  need(count, 'array', at);
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = read(level + 1);
  return out;
}

function map(count: number, level: number, at: number): Record<string, unknown> {
  if (level > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`, at);
  need(count * 2, 'map', at);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const keyAt = pos;
    const key = mapKey(keyAt);
    if (Object.prototype.hasOwnProperty.call(out, key)) fail(`duplicate map key ${JSON.stringify(key.slice(0, 32))}`, keyAt);
    const value = read(level + 1);
    // A key "__proto__" is data like any other, never the object's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function mapKey(at: number): string {
  if (pos >= src.length) fail('truncated: a map key was expected');
  const b = src[pos++];
  if (b >= 0xa0 && b <= 0xbf) {
    const length = b & 0x1f;
    if (length <= MAX_CACHED_KEY && length <= src.length - pos) {
      const key = cachedKey(src, pos, length);
      if (key !== null) {
        pos += length;
        return key;
      }
    }
    return str(length, at);
  }
  if (b === 0xd9) return str(uint(1, at), at);
  if (b === 0xda) return str(uint(2, at), at);
  if (b === 0xdb) return str(uint(4, at), at);
  return fail(`a map key that is not str (0x${b.toString(16)})`, at);
}
