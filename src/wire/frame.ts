import { DecodeError, EmptyFrameError, FrameTooLargeError } from './errors';
import { Message, parseMessage } from './messages';
import { pack, toWire } from './msgpack';
import { decodeStrict } from './strict-decode';

/** Bytes of the length prefix: uint32, big-endian. */
export const HEADER_BYTES = 4;
/** Default limit of a frame's payload (the map after the prefix). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Encodes one message as a frame: uint32 BE payload length, then the MessagePack map. */
export function encodeFrame(msg: Message | Record<string, unknown>): Buffer {
  const payload = pack(toWire(msg));
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

/**
 * Turns a byte stream into messages. Pure: bytes in, messages out, no sockets, so the
 * tests can feed it hex and split frames anywhere. Bytes fields of a message are views
 * into the received chunks, not copies. It never holds more than one
 * frame's worth of bytes (the limit plus the prefix) beyond the current chunk.
 *
 * After it has thrown once the stream is unusable (frame boundaries are lost), so it
 * refuses further input.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received but not yet part of a yielded message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  *push(chunk: Uint8Array): Generator<Message> {
    if (this.failed) throw new DecodeError('decoder used after a protocol error');
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    try {
      while (this.buffered >= HEADER_BYTES) {
        const length = this.peekLength();
        // Checked as soon as the prefix is in, before buffering a single payload byte.
        if (length === 0) throw new EmptyFrameError();
        if (length > this.maxFrameBytes) throw new FrameTooLargeError(length, this.maxFrameBytes);
        if (this.buffered < HEADER_BYTES + length) return;
        const frame = this.take(HEADER_BYTES + length);
        // DECODE_FAILED unless exactly one value of the profile; then BAD_MESSAGE or UNKNOWN_TYPE.
        yield parseMessage(decodeStrict(frame.subarray(HEADER_BYTES)), length);
      }
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw err;
    }
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= HEADER_BYTES) return first.readUInt32BE(0);
    return Buffer.concat(this.chunks, HEADER_BYTES).readUInt32BE(0);
  }

  /** Removes and returns the first `n` buffered bytes, copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }
}
