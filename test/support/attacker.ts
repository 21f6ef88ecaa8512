/**
 * A hostile peer for tests: real TCP, a real handshake with its own key, and then any
 * bytes it likes. It answers pings (so quiescence checks on the victim can finish) and
 * hands the test every event the victim sends it, decoded. It signs whatever it wants
 * with its key — including two versions of one event — and can write raw frames.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import { decodeEvent, signEvent, type GossipEvent, type RawEvent } from '../../src/gossip/event';
import { Identity } from '../../src/identity/identity';
import { makeAuth, makeHello } from '../../src/peer/handshake';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame';
import type { HelloMsg, Message } from '../../src/wire/messages';

export class Attacker {
  /** Every message received, in order (pings are answered, not kept). */
  readonly received: Message[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder(16 * 1024 * 1024);
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(
    readonly socket: Socket,
    readonly identity: Identity,
  ) {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const m of this.decoder.push(chunk)) {
          if (m.t === 'ping') this.send({ t: 'pong', n: m.n });
          else this.received.push(m);
        }
      } catch {
        socket.destroy();
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects to 127.0.0.1:`port` and completes an honest handshake as `identity`. */
  static async connect(port: number, identity: Identity = Identity.generate(), hello: Partial<HelloMsg> = {}): Promise<Attacker> {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const a = new Attacker(socket, identity);
    a.send({ ...makeHello(identity, 0, 'attacker', Date.now(), randomBytes(32)), ...hello });
    const theirs = (await a.next((m) => m.t === 'hello')) as HelloMsg;
    a.send(makeAuth(identity, theirs));
    await a.next((m) => m.t === 'auth');
    // An empty book, so the victim's sync from us is complete.
    a.send({ t: 'sync', events: [], done: true });
    return a;
  }

  get nodeId(): string {
    return this.identity.nodeId;
  }

  send(msg: Message | Record<string, unknown>): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(msg));
  }

  sendBytes(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Signs an event with our key; `random` fixes the id's random part (two versions of one id). */
  sign(kind: string, data: Record<string, unknown>, opts: { ts?: number; random?: Uint8Array } = {}): GossipEvent {
    return signEvent(this.identity, kind, data, opts.ts ?? Date.now(), opts.random ?? randomBytes(16));
  }

  /** Sends a signed event as gossip. */
  gossip(ev: { raw: RawEvent }, hops = 0): void {
    this.send({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops });
  }

  /** Resolves with the first message (received before or after the call) that `match` accepts, taking it out. */
  async next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (this.ended) throw new Error('attacker link closed');
      if (Date.now() > deadline) throw new Error('attacker: timed out waiting for a message');
      // Woken by the next message; the timer only bounds a test that would otherwise hang.
      await new Promise<void>((wake) => {
        const bound = setTimeout(() => wake(), Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(bound);
          wake();
        });
      });
    }
  }

  /** The next event (gossip or sync entry) the victim sends us that `match` accepts. */
  async nextEvent(match: (ev: GossipEvent) => boolean, timeoutMs = 10_000): Promise<GossipEvent> {
    const pending: GossipEvent[] = [];
    const found = await this.next((m) => {
      if (m.t === 'event') {
        const ev = decodeEvent(m.body, m.sig, m.hops);
        if (match(ev)) {
          pending.push(ev);
          return true;
        }
      } else if (m.t === 'sync') {
        for (const e of m.events) {
          const ev = decodeEvent(e.body, e.sig, 0);
          if (match(ev)) {
            pending.push(ev);
            return true;
          }
        }
      }
      return false;
    }, timeoutMs);
    void found;
    return pending[pending.length - 1];
  }

  /** The error frame the victim closed us with, or null if it closed without one. */
  async refusal(): Promise<string | null> {
    try {
      const m = await this.next((x) => x.t === 'error');
      return (m as { code: string }).code;
    } catch {
      return null;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
