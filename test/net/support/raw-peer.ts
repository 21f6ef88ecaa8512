import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Identity } from '../../../src/identity/identity';
import { makeAuth, makeHello } from '../../../src/peer/handshake';
import { encodeFrame, FrameDecoder } from '../../../src/wire/frame';
import { HelloMsg, Message } from '../../../src/wire/messages';

/**
 * A hand-driven peer: the test decides every byte it sends and awaits every message it
 * gets. Used to misbehave on purpose, over an in-memory pair or a raw TCP socket.
 */
export class RawPeer {
  readonly received: Message[] = [];
  readonly closed: Promise<void>;
  private waiters: Array<(m: Message | null) => void> = [];
  private ended = false;
  private readonly decoder = new FrameDecoder(16 * 1024 * 1024);

  constructor(readonly stream: Duplex) {
    stream.on('error', () => {});
    stream.on('data', (chunk: Buffer) => {
      for (const m of this.decoder.push(chunk)) {
        const w = this.waiters.shift();
        if (w) w(m);
        else this.received.push(m);
      }
    });
    this.closed = new Promise((resolve) => stream.once('close', () => resolve()));
    this.closed.then(() => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
  }

  /** The next message, or null once the stream closed with nothing more. */
  next(): Promise<Message | null> {
    const m = this.received.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Skips messages until one of type `t` (null if the stream closed first). */
  async nextOf<T extends Message['t']>(t: T): Promise<Extract<Message, { t: T }> | null> {
    for (;;) {
      const m = await this.next();
      if (m === null || m.t === t) return m as Extract<Message, { t: T }> | null;
    }
  }

  send(msg: Message | Record<string, unknown>): void {
    this.stream.write(encodeFrame(msg));
  }

  sendBytes(bytes: Buffer | string): void {
    this.stream.write(typeof bytes === 'string' ? Buffer.from(bytes, 'hex') : bytes);
  }

  /** Runs an honest handshake as `identity`; returns the other side's hello. */
  async handshake(identity: Identity, listenPort = 0, overrides: Partial<HelloMsg> = {}): Promise<HelloMsg> {
    this.send({ ...makeHello(identity, listenPort, 'raw-peer', Date.now(), randomBytes(32)), ...overrides });
    const hello = await this.nextOf('hello');
    if (!hello) throw new Error('closed before hello');
    this.send(makeAuth(identity, hello));
    const auth = await this.nextOf('auth');
    if (!auth) throw new Error('closed before auth');
    return hello;
  }

  destroy(): void {
    this.stream.destroy();
  }
}
