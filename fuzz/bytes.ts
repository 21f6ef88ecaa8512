/**
 * The byte level: mutations that know nothing of MessagePack (bit flips, inserted and
 * deleted bytes, cuts, lying length prefixes), how a stream is cut into writes, and
 * the framing arithmetic the harness needs to know whether the node is still waiting
 * for bytes of a frame.
 */
import type { SeededRandom } from '../src/clock/seeded-random';
import { HEADER_BYTES } from '../src/wire/frame';

/** Bytes that sit on MessagePack type boundaries (fixint/fixmap/nil/c1/ext/int64...). */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xc7, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

/** Length prefixes that lie about the frame (given the node's limit). */
export function lyingLengths(real: number, maxFrameBytes: number): number[] {
  return [0, 1, real - 1, real + 1, real + 4, maxFrameBytes, maxFrameBytes + 1, 0x7fffffff, 0xffffffff, 2 * maxFrameBytes].filter((x) => x >= 0 && x <= 0xffffffff && x !== real);
}

type ByteMutator = (b: Buffer, rng: SeededRandom, maxFrameBytes: number) => Buffer;

export const BYTE_MUTATORS: Record<string, ByteMutator> = {
  bitFlip(b, rng) {
    const out = Buffer.from(b);
    const flips = 1 + rng.int(8);
    for (let i = 0; i < flips && out.length > 0; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
    return out;
  },
  interestingByte(b, rng) {
    const out = Buffer.from(b);
    if (out.length > 0) out[rng.int(out.length)] = INTERESTING[rng.int(INTERESTING.length)];
    return out;
  },
  insertBytes(b, rng) {
    const at = rng.int(b.length + 1);
    const extra = rng.int(2) === 0 ? rng.bytes(1 + rng.int(8)) : Buffer.from([INTERESTING[rng.int(INTERESTING.length)]]);
    return Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
  },
  deleteBytes(b, rng) {
    if (b.length === 0) return b;
    const at = rng.int(b.length);
    const n = 1 + rng.int(Math.min(16, b.length - at));
    return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
  },
  truncate(b, rng) {
    return b.subarray(0, rng.int(b.length));
  },
  duplicateRange(b, rng) {
    if (b.length === 0) return b;
    const at = rng.int(b.length);
    const n = 1 + rng.int(Math.min(64, b.length - at));
    return Buffer.concat([b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n)]);
  },
  lengthLie(b, rng, max) {
    if (b.length < HEADER_BYTES) return b;
    const out = Buffer.from(b);
    const lies = lyingLengths(out.readUInt32BE(0), max);
    out.writeUInt32BE(lies[rng.int(lies.length)], 0);
    return out;
  },
  appendGarbage(b, rng) {
    return Buffer.concat([b, rng.bytes(1 + rng.int(32))]);
  },
};

export const BYTE_MUTATOR_NAMES = Object.keys(BYTE_MUTATORS);

/** One byte-level mutation of `b`; returns the bytes and its name. */
export function mutateBytes(b: Buffer, rng: SeededRandom, maxFrameBytes: number): { bytes: Buffer; done: string } {
  const name = BYTE_MUTATOR_NAMES[rng.int(BYTE_MUTATOR_NAMES.length)];
  return { bytes: BYTE_MUTATORS[name](b, rng, maxFrameBytes), done: name };
}

/** `payload` with its uint32 BE length prefix. */
export function framed(payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(HEADER_BYTES);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/**
 * Cuts `bytes` into 1..`maxPieces` writes at random offsets (a frame split anywhere,
 * even inside its length prefix, must read the same as in one piece).
 */
export function splitAt(bytes: Buffer, rng: SeededRandom, maxPieces = 6): Buffer[] {
  if (bytes.length < 2) return [bytes];
  const cuts = new Set<number>();
  const n = rng.int(maxPieces);
  for (let i = 0; i < n; i++) cuts.add(1 + rng.int(bytes.length - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of sorted) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

/**
 * After a stream of `bytes` (frames from a frame boundary), how many more bytes a
 * reader with this limit waits for before it can decide: 0 when the stream ends on a
 * boundary or the reader has already refused it (a prefix of 0 or over the limit). The
 * harness sends that many filler bytes before its ping, so a cut frame is decided
 * instead of swallowing the ping. Filler is zeros; a prefix it completes is read too.
 */
export function bytesAwaited(bytes: Buffer, maxFrameBytes: number): number {
  let pos = 0;
  let pad = 0;
  for (;;) {
    const have = bytes.length + pad - pos;
    if (have <= 0) return pad;
    if (have < HEADER_BYTES) {
      pad += HEADER_BYTES - have;
      continue;
    }
    const prefix = Buffer.alloc(HEADER_BYTES);
    for (let i = 0; i < HEADER_BYTES; i++) prefix[i] = pos + i < bytes.length ? bytes[pos + i] : 0;
    const length = prefix.readUInt32BE(0);
    if (length === 0 || length > maxFrameBytes) return pad;
    if (have < HEADER_BYTES + length) pad += HEADER_BYTES + length - have;
    pos += HEADER_BYTES + length;
  }
}

/**
 * Splits a byte stream into frame payloads; frames longer than `keepUpTo` are skipped
 * without being kept (the fuzzer reads the node's small control frames and passes over
 * its book sync). Throws on a prefix over `maxFrameBytes` (the node never sends one).
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private skipping = 0;

  constructor(
    private readonly keepUpTo = Infinity,
    private readonly maxFrameBytes = 16 * 1024 * 1024,
  ) {}

  /** The payloads completed by this chunk (null for a skipped frame, with its length). */
  *push(chunk: Buffer): Generator<{ payload: Buffer | null; length: number }> {
    let c = chunk;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, c.length);
      this.skipping -= n;
      c = c.subarray(n);
    }
    if (c.length === 0) return;
    this.chunks.push(c);
    this.buffered += c.length;
    while (this.buffered >= HEADER_BYTES) {
      const head = this.peek(HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes) throw new RangeError(`frame of ${length} bytes`);
      if (length > this.keepUpTo) {
        this.drop(HEADER_BYTES);
        const n = Math.min(length, this.buffered);
        this.drop(n);
        this.skipping = length - n;
        yield { payload: null, length };
        continue;
      }
      if (this.buffered < HEADER_BYTES + length) return;
      this.drop(HEADER_BYTES);
      yield { payload: this.peek(length, true), length };
    }
  }

  private peek(n: number, consume = false): Buffer {
    const first = this.chunks[0];
    const out = first.length >= n ? first.subarray(0, n) : Buffer.concat(this.chunks).subarray(0, n);
    if (consume) this.drop(n);
    return out;
  }

  private drop(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[0];
      if (c.length <= n) {
        this.chunks.shift();
        n -= c.length;
      } else {
        this.chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }
}
