import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock/clock';
import { Identity } from '../identity/identity';
import type { Logger } from '../log/logger';
import { ErrorCode, isMisbehaviour, ProtocolError } from '../wire/errors';
import { encodeFrame, FrameDecoder } from '../wire/frame';
import { MAX_REASON_BYTES, type AuthMsg, type ErrorMsg, type HelloMsg, type Message, type PingMsg, type PongMsg } from '../wire/messages';
import { checkAuth, checkHello, makeAuth, makeHello } from './handshake';
import { dispatch, phaseOf, type LinkServices } from './protocol';
import { FrameWriter } from './writer';

/**
 * Frames one link may have handled per turn of the event loop. An event frame costs up to
 * ~0.5 ms (a signature check and applying it, on a busy core), so 32 keep one link's turn
 * near 10 ms whatever it sends, and every link gets its turn.
 */
export const FRAMES_PER_TURN = 32;

/** After we send an error frame and half-close, how long the peer gets to close its side. */
export const CLOSE_GRACE_MS = 1000;

export type Direction = 'inbound' | 'outbound';

/** The limits every link runs under (set once on the peer manager, passed to each link). */
export interface LinkLimits {
  handshakeTimeoutMs: number;
  maxClockSkewMs: number;
  maxFrameBytes: number;
  maxWriteBufferBytes: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
}

export interface ConnectionOptions extends LinkLimits {
  identity: Identity;
  direction: Direction;
  /** Remote host: the dialled host, or the stream's remote address. */
  host: string;
  /** Remote port: the dialled port, or the stream's remote (ephemeral) port. */
  port: number;
  /** Our listen port, announced in hello. */
  listenPort: number;
  agent: string;
  clock: Clock;
  log: Logger;
  /** Where messages past the link level go (the node's gossip, sync, peer exchange). */
  services: LinkServices;
  /** Refuse a node id at hello time (shunned ids). */
  refuseId?: (nodeId: string) => ProtocolError | null;
}

export interface CloseInfo {
  code: string;
  message: string;
  /** Who ended it: we did ('local'), the peer sent an error frame ('remote'), or the stream just ended. */
  by: 'local' | 'remote' | 'transport';
  /** The peer broke the protocol: shun it. */
  misbehaved: boolean;
}

/**
 * One peer link over any duplex stream (TCP, or the in-memory transport): decodes
 * frames, runs the handshake, answers pings, drops idle or slow peers, and hands every
 * other message to the registered handler (protocol.ts).
 *
 * Frames are handled strictly in arrival order. A handler may return a promise (a large
 * book sync applied in slices); the link then pauses its stream and handles nothing
 * else until it settles, so a pong still proves the peer's earlier frames were handled.
 *
 * The crash-proof boundary: whatever a handler throws (or rejects with) ends this link
 * only — a ProtocolError with its own code, anything else as INTERNAL_ERROR — with an
 * error frame, one log line and a count, never a process exit or a wedged link.
 *
 * Events: 'open' (), 'close' (info: CloseInfo) — 'close' comes once, as soon as the link
 * is logically over; `released` resolves when the stream is gone.
 */
export class PeerConnection extends EventEmitter {
  state: 'handshake' | 'open' | 'closed' = 'handshake';
  remoteHello: HelloMsg | null = null;
  /** Verified node id (hex), set when the handshake completed. */
  remoteId: string | null = null;
  connectedAt = 0;
  /** When a frame last arrived (clock ms): how alive the link looks. */
  lastReceivedAt: number;
  closeInfo: CloseInfo | null = null;
  framesIn = 0;
  framesOut = 0;
  bytesIn = 0;
  /** Handler failures that were our bug, not the peer's (INTERNAL_ERROR closes). */
  internalErrors = 0;
  /**
   * Fastest round trip of one of our pings (ms), Infinity before the first pong. Inbound
   * eviction protects the fastest: low latency cannot be faked from far away.
   */
  minPingMs = Infinity;
  readonly released: Promise<void>;

  private readonly decoder: FrameDecoder;
  private readonly writer: FrameWriter;
  private readonly hello: HelloMsg;
  private readonly clock: Clock;
  private authSent = false;
  private handshakeTimer: TimerHandle | null = null;
  private pingTimer: TimerHandle | null = null;
  private graceTimer: TimerHandle | null = null;
  /** Decoded frames not handled yet (at most one read's worth: the stream is paused while busy). */
  private readonly inbox: Message[] = [];
  /** A decode error met after the frames in `inbox`: raised once they are handled. */
  private decodeError: unknown = null;
  private busy = false;
  private idleTicks = 0;
  private pingSeq = 0;
  private pingsUnanswered = 0;
  /** Ping numbers sent and not answered yet, with when they left (bounded: the peer is dropped first). */
  private readonly pingsOut = new Map<number, number>();
  private readonly pongWaiters = new Map<number, () => void>();

  constructor(
    readonly stream: Duplex,
    readonly opts: ConnectionOptions,
  ) {
    super();
    this.clock = opts.clock;
    this.lastReceivedAt = this.clock.now();
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    this.writer = new FrameWriter(stream, opts.maxWriteBufferBytes, () => this.drop(ErrorCode.SLOW_READER, 'peer does not read'));
    this.hello = makeHello(opts.identity, opts.listenPort, opts.agent, this.clock.now(), this.clock.randomBytes(32));
    this.released = new Promise((resolve) => stream.once('close', resolve));
    stream.once('close', () => this.onStreamClosed());
    stream.on('error', () => {}); // the 'close' that follows carries the outcome
    stream.on('end', () => this.end('transport', ErrorCode.CONNECTION_CLOSED, 'peer closed the stream'));
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  get direction(): Direction {
    return this.opts.direction;
  }

  /**
   * Where this peer accepts connections, the address we redial and tell others: the
   * dialled address for outbound links, its IP and hello port for inbound ones.
   */
  get listenAddress(): { host: string; port: number } | null {
    if (this.direction === 'outbound') return { host: this.opts.host, port: this.opts.port };
    return this.listenPort > 0 ? { host: this.opts.host, port: this.listenPort } : null;
  }

  /** The nonce we sent in our hello. */
  get ourNonce(): Uint8Array {
    return this.hello.nonce;
  }
  get bytesQueued(): number {
    return this.writer.bytesQueued;
  }
  /** The port the peer accepts connections on (from its hello), 0 if none or unknown yet. */
  get listenPort(): number {
    return this.remoteHello?.port ?? 0;
  }

  isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Sends our hello and starts the handshake clock. */
  start(): void {
    if (this.state !== 'handshake') return;
    this.handshakeTimer = this.clock.setTimeout(
      () => this.fail(new ProtocolError(ErrorCode.HANDSHAKE_TIMEOUT, `no handshake within ${this.opts.handshakeTimeoutMs} ms`)),
      this.opts.handshakeTimeoutMs,
    );
    this.sendNow(this.hello);
  }

  /**
   * Resolves once the peer has answered a ping sent now. By then it has handled every
   * frame we sent before the ping (frames are handled in order), which makes this a
   * barrier for quiescence checks. Resolves too if the link closes first.
   */
  roundTrip(): Promise<void> {
    if (this.state !== 'open') return Promise.resolve();
    const n = ++this.pingSeq;
    this.pingsOut.set(n, this.clock.now());
    return new Promise((resolve) => {
      this.pongWaiters.set(n, resolve);
      if (!this.sendNow({ t: 'ping', n })) {
        this.pongWaiters.delete(n);
        resolve();
      }
    });
  }

  /** Sends a message on an open link; false if closed or the peer was dropped for not reading. */
  send(msg: Message): boolean {
    return this.state === 'open' && this.sendNow(msg);
  }

  /** Sends a pre-encoded frame (one encoding shared by every peer a relay goes to). */
  sendFrame(frame: Buffer): boolean {
    if (this.state !== 'open' || !this.writer.write(frame)) return false;
    this.framesOut++;
    return true;
  }

  /** Waits until at most `bytes` are queued: paces bulk sends (book sync) to the reader. */
  waitQueuedBelow(bytes = 0): Promise<void> {
    return this.writer.waitQueuedBelow(bytes);
  }

  /** Refuses the peer: error frame with the code, half-close, and 'close'. */
  fail(err: ProtocolError | { code: string; message: string }): void {
    if (this.state === 'closed') return;
    const frame = encodeFrame({ t: 'error', code: err.code, message: utf8Prefix(err.message, MAX_REASON_BYTES) });
    this.framesOut++;
    this.writer.end(frame);
    this.armGrace();
    this.end('local', err.code, err.message);
  }

  /** Ends the link at once, without a word (slow reader, shutdown of a half-open stream). */
  drop(code: string, message: string): void {
    if (this.state === 'closed') return;
    this.writer.release();
    this.stream.destroy();
    this.end('local', code, message);
  }

  // ---- handlers of link-level messages (called through the registry) -------------

  /** @internal */
  onHello(msg: HelloMsg): void {
    if (this.remoteHello) throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, 'a second hello');
    checkHello(msg, { selfId: this.opts.identity.publicKey, now: this.clock.now(), maxClockSkewMs: this.opts.maxClockSkewMs });
    const refusal = this.opts.refuseId?.(Buffer.from(msg.id).toString('hex'));
    if (refusal) throw refusal;
    this.remoteHello = msg;
    // The accepting side proves itself only to a dialler that has proved itself: a
    // socket that says hello and never authenticates costs us no signature, and we
    // sign nothing for a peer we cannot name.
    if (this.direction === 'outbound') this.sendAuth();
  }

  private sendAuth(): void {
    // Marked before the write: over a synchronous stream the other side's answer can
    // come back inside it.
    this.authSent = true;
    this.sendNow(makeAuth(this.opts.identity, this.remoteHello as HelloMsg));
  }

  /** @internal */
  onAuth(msg: AuthMsg): void {
    if (!this.remoteHello) throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, 'auth before hello');
    checkAuth(msg, this.remoteHello, this.hello);
    this.remoteId = Buffer.from(this.remoteHello.id).toString('hex');
    this.state = 'open';
    this.connectedAt = this.clock.now();
    this.clearTimer('handshakeTimer');
    this.pingTimer = this.clock.setInterval(() => this.keepalive(), this.opts.pingIntervalMs);
    // The acceptor's auth leaves once we are open: what the dialler sends as soon as it
    // has it (over a synchronous stream, before this returns) finds the link open.
    if (!this.authSent) this.sendAuth();
    this.emit('open');
  }

  /**
   * @internal The peer is closing with a reason. We stop reading, half-close our side,
   * and destroy the stream if the peer does not finish closing within the grace period
   * (a peer that sends `error` and keeps its end open must not hold the link).
   */
  onRemoteError(msg: ErrorMsg): void {
    this.writer.end();
    this.armGrace();
    this.end('remote', msg.code, msg.message);
  }

  /** @internal */
  onPing(msg: PingMsg): void {
    this.sendNow({ t: 'pong', n: msg.n });
  }

  /**
   * @internal Only an answer to a ping we sent shows responsiveness (a peer echoing any
   * n would otherwise hold every roundTrip() forever).
   */
  onPong(msg: PongMsg): void {
    const sentAt = this.pingsOut.get(msg.n);
    if (sentAt === undefined) return;
    this.pingsOut.delete(msg.n);
    this.minPingMs = Math.min(this.minPingMs, Math.max(0, this.clock.now() - sentAt));
    this.pingsUnanswered = 0;
    const waiter = this.pongWaiters.get(msg.n);
    if (waiter) {
      this.pongWaiters.delete(msg.n);
      waiter();
    }
  }

  // ---- input --------------------------------------------------------------------

  private sendNow(msg: Message): boolean {
    if (!this.writer.write(encodeFrame(msg))) return false;
    this.framesOut++;
    return true;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return; // after a refusal the rest is read and discarded
    this.bytesIn += chunk.length;
    try {
      for (const msg of this.decoder.push(chunk)) this.inbox.push(msg);
    } catch (err) {
      // Frames decoded before the bad one are still handled first, in order.
      this.decodeError = err;
    }
    this.pump();
  }

  /** Handles queued frames in order until one is asynchronous, the queue is empty, or the link closed. */
  private pump(): void {
    let handled = 0;
    while (!this.busy && this.state !== 'closed') {
      // A link's turn ends after FRAMES_PER_TURN frames: a flood on one link then waits
      // for the next turn like everyone else, instead of holding the event loop.
      if (handled >= FRAMES_PER_TURN && this.inbox.length > 0) {
        this.yieldTurn();
        return;
      }
      const msg = this.inbox.shift();
      if (msg === undefined) break;
      handled++;
      this.framesIn++;
      this.idleTicks = 0;
      this.lastReceivedAt = this.clock.now();
      let result: void | Promise<void>;
      try {
        result = this.handle(msg);
      } catch (err) {
        this.crashed(err, msg.t);
        return;
      }
      if (result instanceof Promise) {
        this.busy = true;
        this.stream.pause();
        result.then(
          () => {
            this.busy = false;
            if (this.state === 'closed') return;
            this.stream.resume();
            this.pump();
          },
          (err: unknown) => {
            this.busy = false;
            this.crashed(err, msg.t);
          },
        );
        return;
      }
    }
    if (!this.busy && this.inbox.length === 0 && this.decodeError !== null && this.state !== 'closed') {
      const err = this.decodeError;
      this.decodeError = null;
      this.crashed(err, 'frame');
    }
  }

  private yieldTurn(): void {
    this.busy = true;
    this.stream.pause();
    this.clock.setTimeout(() => {
      this.busy = false;
      if (this.state === 'closed') return;
      this.stream.resume();
      this.pump();
    }, 0);
  }

  private handle(msg: Message): void | Promise<void> {
    const phase = phaseOf(msg.t);
    const open = this.state === 'open';
    if ((phase === 'handshake' && open) || (phase === 'open' && !open)) {
      throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `${msg.t} ${open ? 'after' : 'before'} the handshake completed`);
    }
    return dispatch(this, msg, this.opts.services);
  }

  /** The crash-proof boundary: whatever went wrong handling this peer's bytes ends this link only. */
  private crashed(err: unknown, what: string): void {
    if (err instanceof ProtocolError) {
      this.fail(err);
      return;
    }
    this.internalErrors++;
    const message = err instanceof Error ? err.message : String(err);
    this.opts.log.warn('peer.internal-error', { peer: this.remoteId ?? undefined, addr: `${this.opts.host}:${this.opts.port}`, handling: what, error: message });
    this.fail({ code: ErrorCode.INTERNAL_ERROR, message: `could not handle ${what}` });
  }

  private keepalive(): void {
    // Counting silent intervals instead of reading a clock keeps this independent of
    // the wall clock's jumps.
    this.idleTicks++;
    this.pingsUnanswered++;
    if (this.idleTicks * this.opts.pingIntervalMs > this.opts.idleTimeoutMs) {
      this.fail(new ProtocolError(ErrorCode.IDLE_TIMEOUT, `nothing received for ${this.opts.idleTimeoutMs} ms`));
      return;
    }
    // A peer that keeps sending but never answers our pings is not responsive either
    // (and would hold every roundTrip() forever).
    if (this.pingsUnanswered * this.opts.pingIntervalMs > this.opts.idleTimeoutMs) {
      this.fail(new ProtocolError(ErrorCode.IDLE_TIMEOUT, `no pong for ${this.opts.idleTimeoutMs} ms`));
      return;
    }
    this.pingsOut.set(++this.pingSeq, this.clock.now());
    this.sendNow({ t: 'ping', n: this.pingSeq });
  }

  private armGrace(): void {
    if (this.graceTimer === null) this.graceTimer = this.clock.setTimeout(() => this.stream.destroy(), CLOSE_GRACE_MS);
  }

  private end(by: CloseInfo['by'], code: string, message: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.inbox.length = 0;
    this.clearTimer('handshakeTimer');
    this.clearTimer('pingTimer');
    // A paused stream would never deliver its 'end': keep reading (and discarding).
    if (this.busy || this.stream.isPaused()) this.stream.resume();
    // A peer that blamed us is not shunned for it; only what we detected counts.
    this.closeInfo = { code, message, by, misbehaved: by === 'local' && isMisbehaviour(code) };
    for (const w of this.pongWaiters.values()) w();
    this.pongWaiters.clear();
    this.emit('close', this.closeInfo);
  }

  private onStreamClosed(): void {
    this.end('transport', ErrorCode.CONNECTION_CLOSED, 'stream closed');
    this.clearTimer('graceTimer');
    this.writer.release();
  }

  private clearTimer(name: 'handshakeTimer' | 'pingTimer' | 'graceTimer'): void {
    const t = this[name];
    if (t) {
      if (name === 'pingTimer') this.clock.clearInterval(t);
      else this.clock.clearTimeout(t);
      this[name] = null;
    }
  }
}

/** The longest prefix of `text` within `maxBytes` of UTF-8, never cutting a character (a strict peer refuses a longer reason). */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}
