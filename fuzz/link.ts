/**
 * The attacker's end of one connection: it writes whatever bytes it is given, answers
 * the node's pings (so the node never drops it for silence, only for what it sent),
 * and reads the node's small control frames — hello, auth, pong, error — passing over
 * the rest (book sync, relayed events) without decoding it.
 */
import type { Duplex } from 'node:stream';
import { encodeFrame } from '../src/wire/frame';
import { type Message, parseMessage } from '../src/wire/messages';
import { decodeStrict } from '../src/wire/strict-decode';
import { FrameSplitter } from './bytes';

/**
 * Frames above this are not decoded. The node's hello, auth, pong and error frames
 * are a few hundred bytes at most (PROTOCOL.md §4 bounds them); its sync and event
 * frames, which can be large, are of no interest to the attacker.
 */
export const CONTROL_FRAME_BYTES = 1024;
/** Control messages kept for a waiter that comes later (the node's hello arrives at once). */
const KEPT = 16;

type Waiter = { want: (m: Message) => boolean; resolve: (m: Message | null) => void };

export class AttackLink {
  /** The code of the node's error frame, once it sent one. */
  errorCode: string | null = null;
  errorMessage = '';
  ended = false;
  /** Frames of any kind the node sent (events relayed to us, confirms, sync...). */
  framesIn = 0;
  private readonly splitter = new FrameSplitter(CONTROL_FRAME_BYTES);
  private readonly kept: Message[] = [];
  private waiters: Waiter[] = [];

  constructor(readonly stream: Duplex) {
    stream.on('error', () => {});
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    const over = (): void => {
      if (this.ended) return;
      this.ended = true;
      for (const w of this.waiters.splice(0)) w.resolve(null);
    };
    stream.once('end', over);
    stream.once('close', over);
  }

  /** The first message (kept or to come) that `want` accepts; null once the link is over without one. */
  waitFor(want: (m: Message) => boolean): Promise<Message | null> {
    const i = this.kept.findIndex(want);
    if (i >= 0) return Promise.resolve(this.kept.splice(i, 1)[0]);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push({ want, resolve }));
  }

  write(chunks: readonly Buffer[]): void {
    if (this.ended || this.stream.destroyed) return;
    for (const c of chunks) if (c.length > 0) this.stream.write(c);
  }

  send(msg: Message): void {
    this.write([encodeFrame(msg)]);
  }

  destroy(): void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w.resolve(null);
    this.stream.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Array<{ payload: Buffer | null; length: number }>;
    try {
      frames = [...this.splitter.push(chunk)];
    } catch {
      this.destroy(); // the node never sends a frame over 16 MiB; treat it as gone
      return;
    }
    for (const f of frames) {
      this.framesIn++;
      if (f.payload === null) continue;
      let msg: Message;
      try {
        msg = parseMessage(decodeStrict(f.payload), f.length);
      } catch {
        continue; // not ours to judge; the node's own tests cover what it sends
      }
      if (msg.t === 'ping') this.send({ t: 'pong', n: msg.n });
      if (msg.t === 'error') {
        this.errorCode = msg.code;
        this.errorMessage = msg.message;
      }
      const w = this.waiters.findIndex((x) => x.want(msg));
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(msg);
      else if (msg.t !== 'ping') {
        this.kept.push(msg);
        if (this.kept.length > KEPT) this.kept.shift();
      }
    }
  }
}
