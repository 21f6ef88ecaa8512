/**
 * The attacker's side of one link: real TCP from a chosen loopback address, a real
 * handshake with its own key, then whatever bytes it likes, written as fast as the
 * socket drains. Adapted from test/support/attacker.ts (copied rather than imported: that
 * helper is being refactored, and a benchmark must not keep what it receives — the
 * victim gossips every honest event to it for minutes).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { signEvent, type GossipEvent } from '../src/gossip/event';
import { Identity } from '../src/identity/identity';
import { makeAuth, makeHello } from '../src/peer/handshake';
import { encodeFrame, FrameDecoder } from '../src/wire/frame';
import type { HelloMsg, Message } from '../src/wire/messages';

/** Largest frame we read back: the victim's book sync frames (1 MiB) fit. */
const READ_FRAME_LIMIT = 2 * 1024 * 1024;
/** A handshake that takes longer than this is a refusal we did not understand. */
const HANDSHAKE_TIMEOUT_MS = 5_000;

export class AttackPeer {
  readonly closed: Promise<void>;
  /** Error code the victim closed us with, if it sent one. */
  refusal: string | null = null;
  /** Bytes handed to the socket. */
  bytesOut = 0;
  private readonly decoder = new FrameDecoder(READ_FRAME_LIMIT);
  private wanted: { match: (m: Message) => boolean; resolve: (m: Message) => void } | null = null;
  /** Messages kept until the handshake is done (a hello and an auth can come in one chunk); none after. */
  private early: Message[] | null = [];
  private ended = false;

  private constructor(
    readonly socket: Socket,
    readonly identity: Identity,
  ) {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const m of this.decoder.push(chunk)) this.onMessage(m);
      } catch {
        socket.destroy();
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => (this.ended = true));
  }

  /** A socket that has connected and done nothing yet (for keyless and half-open attacks). */
  static socket(port: number, localAddress: string): Socket {
    const s = tcpConnect({ host: '127.0.0.1', port, localAddress });
    s.on('error', () => {});
    return s;
  }

  /**
   * Connects from `localAddress` and completes an honest handshake as `identity`, then
   * tells the victim our book is empty. Rejects if the victim refuses us.
   */
  static async connect(port: number, localAddress: string, identity: Identity = Identity.generate()): Promise<AttackPeer> {
    const socket = AttackPeer.socket(port, localAddress);
    await once(socket, 'connect');
    const a = new AttackPeer(socket, identity);
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
    try {
      a.send(makeHello(identity, 0, 'bench-attacker', Date.now(), randomBytes(32)));
      const theirs = (await a.next((m) => m.t === 'hello')) as HelloMsg;
      a.send(makeAuth(identity, theirs));
      await a.next((m) => m.t === 'auth');
    } finally {
      clearTimeout(timer);
    }
    a.early = null;
    a.send({ t: 'sync', events: [], done: true });
    return a;
  }

  get nodeId(): string {
    return this.identity.nodeId;
  }

  get open(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  send(msg: Message | Record<string, unknown>): boolean {
    return this.write(encodeFrame(msg));
  }

  /** Writes raw bytes; false when the socket wants us to wait for 'drain' (or is gone). */
  write(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    this.bytesOut += bytes.length;
    return this.socket.write(bytes);
  }

  /** Resolves when the socket has room again, or is closed. */
  async drained(): Promise<void> {
    if (!this.open || !this.socket.writableNeedDrain) return;
    await Promise.race([once(this.socket, 'drain').catch(() => undefined), this.closed]);
  }

  /** Signs an event with our key (fresh random id bytes). */
  sign(kind: string, data: Record<string, unknown>, ts = Date.now()): GossipEvent {
    return signEvent(this.identity, kind, data, ts, randomBytes(16));
  }

  close(): void {
    this.socket.destroy();
  }

  private onMessage(m: Message): void {
    if (m.t === 'ping') this.send({ t: 'pong', n: m.n });
    else if (m.t === 'error') {
      // Refused: an attacker does not wait for the victim's grace period to end, it comes back at once.
      this.refusal = m.code;
      this.socket.destroy();
    }
    if (this.wanted?.match(m)) {
      const w = this.wanted;
      this.wanted = null;
      w.resolve(m);
    } else this.early?.push(m);
  }

  private next(match: (m: Message) => boolean): Promise<Message> {
    return new Promise((resolve, reject) => {
      const i = this.early?.findIndex(match) ?? -1;
      if (i >= 0) return resolve(this.early!.splice(i, 1)[0]);
      if (this.ended) return reject(new Error(`link closed (${this.refusal ?? 'no reason'})`));
      this.wanted = { match, resolve };
      void this.closed.then(() => reject(new Error(`link closed during the handshake (${this.refusal ?? 'no reason'})`)));
    });
  }
}

/** A gossip frame for a signed event, encoded once (floods write the same bytes they built). */
export function eventFrame(ev: GossipEvent): Buffer {
  return encodeFrame({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: 0 });
}

/** Signs `kind` with a key of its own: a fresh origin for every event. */
export function signFresh(kind: string, data: Record<string, unknown>): GossipEvent {
  return signEvent(Identity.generate(), kind, data, Date.now(), randomBytes(16));
}
