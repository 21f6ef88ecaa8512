/**
 * A hostile peer for tests: a real handshake with its own key, then any bytes it likes.
 * It runs over real TCP (`connect`) or over any duplex stream (`over`: one end of the
 * simulator's in-memory network, in virtual time). It answers pings (so quiescence
 * checks on the victim can finish), keeps every message the victim sends it, decoded,
 * and every raw byte (to prove a relay never forwarded something). It signs whatever it
 * wants with its key — two versions of one event, events stamped in 1970 — and can
 * write raw frames.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { decodeEvent, signEvent, type GossipEvent, type RawEvent } from '../../src/gossip/event';
import { Identity } from '../../src/identity/identity';
import { makeAuth, makeHello } from '../../src/peer/handshake';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame';
import type { HelloMsg, Message, PongMsg } from '../../src/wire/messages';

export interface AttackerOptions {
  identity?: Identity;
  /** Fields of our hello to replace (a float ts, another version...). */
  hello?: Partial<HelloMsg> | Record<string, unknown>;
  /** Our clock for hello and event times: the wall clock, or a simulated world's. */
  now?: () => number;
  /** Send an empty, finished book sync right after the handshake (default true). */
  syncDone?: boolean;
  /** TCP only: the loopback address to connect from (another network group). */
  localAddress?: string;
  /** TCP only: keep our end open after the victim's FIN, as a hostile peer would. */
  allowHalfOpen?: boolean;
}

/** Bounds a wait that would otherwise hang a failing test; a passing test never reaches it. */
const WAIT_BOUND_MS = 20_000;

export class Attacker {
  /** Every message received and not taken by next() yet, in order (pings are answered, not kept). */
  readonly received: Message[] = [];
  /** Every byte the victim sent us. */
  readonly bytes: Buffer[] = [];
  readonly closed: Promise<void>;
  readonly identity: Identity;
  private readonly now: () => number;
  private readonly decoder = new FrameDecoder(16 * 1024 * 1024);
  private waiters: Array<() => void> = [];
  private ended = false;
  private pingN = 0;

  private constructor(
    readonly stream: Duplex,
    opts: AttackerOptions,
  ) {
    this.identity = opts.identity ?? Identity.generate();
    this.now = opts.now ?? Date.now;
    stream.on('error', () => {});
    stream.on('data', (chunk: Buffer) => {
      this.bytes.push(chunk);
      try {
        for (const m of this.decoder.push(chunk)) {
          if (m.t === 'ping') this.send({ t: 'pong', n: m.n });
          else this.received.push(m);
        }
      } catch {
        stream.destroy();
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => stream.once('close', () => resolve()));
    void this.closed.then(() => {
      this.ended = true;
      this.wake();
    });
  }

  /**
   * Connects to 127.0.0.1:`port` over TCP and completes an honest handshake.
   * (`identity` may be given directly, as the older call sites do.)
   */
  static async connect(port: number, opts: AttackerOptions | Identity = {}, hello: Partial<HelloMsg> = {}): Promise<Attacker> {
    const o: AttackerOptions = opts instanceof Identity ? { identity: opts, hello } : opts;
    const socket = tcpConnect({ host: '127.0.0.1', port, localAddress: o.localAddress, allowHalfOpen: o.allowHalfOpen ?? false });
    await once(socket, 'connect');
    return Attacker.over(socket, o);
  }

  /** Completes an honest handshake over `stream` (e.g. a simulated world's connection). */
  static async over(stream: Duplex, opts: AttackerOptions = {}): Promise<Attacker> {
    const a = new Attacker(stream, opts);
    await a.handshake(opts);
    return a;
  }

  /** Wraps a stream without a handshake: the test writes every byte. */
  static raw(stream: Duplex, opts: AttackerOptions = {}): Attacker {
    return new Attacker(stream, opts);
  }

  get nodeId(): string {
    return this.identity.nodeId;
  }

  /** Every byte received so far, in one buffer. */
  allBytes(): Buffer {
    return Buffer.concat(this.bytes);
  }

  /** Has the victim sent us these bytes (anywhere in the stream)? */
  gotBytes(needle: Uint8Array): boolean {
    return this.allBytes().indexOf(Buffer.from(needle)) >= 0;
  }

  send(msg: Message | Record<string, unknown>): void {
    if (!this.stream.destroyed) this.stream.write(encodeFrame(msg));
  }

  sendBytes(bytes: Uint8Array): void {
    if (!this.stream.destroyed) this.stream.write(bytes);
  }

  /**
   * Signs an event with our key. `ts` defaults to our clock; `random` fixes the id's
   * random part (two versions of one id).
   */
  sign(kind: string, data: Record<string, unknown>, opts: { ts?: number; random?: Uint8Array } = {}): GossipEvent {
    return signEvent(this.identity, kind, data, opts.ts ?? this.now(), opts.random ?? randomBytes(16));
  }

  /** Sends a signed event as gossip. */
  gossip(ev: { raw: RawEvent }, hops = 0): void {
    this.send({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops });
  }

  /**
   * Writes up to `count` event frames as fast as the socket drains, making each only when
   * it is about to go (a flood the victim cuts short costs little to sign). Stops when the
   * victim refuses the link (its error frame) or closes it; returns how many were written.
   */
  async flood(count: number, make: (i: number) => { raw: RawEvent }): Promise<number> {
    let sent = 0;
    while (sent < count && !this.ended && !this.stream.destroyed && !this.received.some((m) => m.t === 'error')) {
      const ev = make(sent);
      const ok = this.stream.write(encodeFrame({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: 0 }));
      sent++;
      if (!ok) await Promise.race([once(this.stream, 'drain'), this.closed]);
    }
    return sent;
  }

  /** Sends signed events as one `sync` frame. */
  syncFrame(events: Array<{ raw: RawEvent }>, done: boolean): void {
    this.send({ t: 'sync', events: events.map((e) => e.raw), done });
  }

  /**
   * Resolves once the victim has handled every frame we sent before this call: it
   * answers a ping only after them (frames of one link are handled in order).
   */
  async roundTrip(): Promise<void> {
    const n = ++this.pingN;
    this.send({ t: 'ping', n });
    await this.next((m) => m.t === 'pong' && (m as PongMsg).n === n);
  }

  /** Resolves with the first message (received before or after the call) that `match` accepts, taking it out. */
  async next(match: (m: Message) => boolean): Promise<Message> {
    const bound = Date.now() + WAIT_BOUND_MS;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (this.ended) throw new Error('attacker link closed');
      if (Date.now() > bound) throw new Error('attacker: no such message came');
      await new Promise<void>((wake) => {
        const t = setTimeout(wake, Math.max(1, bound - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          wake();
        });
      });
    }
  }

  /** The next event (gossip or sync entry) the victim sends us that `match` accepts. */
  async nextEvent(match: (ev: GossipEvent) => boolean): Promise<GossipEvent> {
    let found: GossipEvent | null = null;
    await this.next((m) => {
      for (const ev of eventsOf(m)) {
        if (match(ev)) {
          found = ev;
          return true;
        }
      }
      return false;
    });
    return found as unknown as GossipEvent;
  }

  /** Every event (gossip or sync entry) received and not taken by next() yet. */
  events(): GossipEvent[] {
    return this.received.flatMap(eventsOf);
  }

  /** The victim's book sync to us, once it said `done` (every entry, decoded). */
  async syncFromVictim(): Promise<GossipEvent[]> {
    const out: GossipEvent[] = [];
    for (;;) {
      const m = await this.next((x) => x.t === 'sync');
      out.push(...eventsOf(m));
      if (m.t === 'sync' && m.done) return out;
    }
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
    this.stream.destroy();
  }

  private async handshake(opts: AttackerOptions): Promise<void> {
    this.send({ ...makeHello(this.identity, 0, 'attacker', this.now(), randomBytes(32)), ...opts.hello });
    const theirs = (await this.next((m) => m.t === 'hello')) as HelloMsg;
    this.send(makeAuth(this.identity, theirs));
    await this.next((m) => m.t === 'auth');
    // An empty book, so the victim's sync from us is complete.
    if (opts.syncDone ?? true) this.send({ t: 'sync', events: [], done: true });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

function eventsOf(m: Message): GossipEvent[] {
  if (m.t === 'event') return [decodeEvent(m.body, m.sig, m.hops)];
  if (m.t === 'sync') return m.events.map((e) => decodeEvent(e.body, e.sig, 0));
  return [];
}
