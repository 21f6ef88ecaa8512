import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Identity } from '../identity/identity';
import { ErrorCode, isMisbehaviour, ProtocolError } from '../wire/errors';
import { encodeFrame, FrameDecoder } from '../wire/frame';
import { HelloMsg, Message } from '../wire/messages';
import { checkAuth, checkHello, makeAuth, makeHello } from './handshake';
import { FrameWriter } from './writer';

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
  /** Remote host: the dialled host, or the socket's remote address. */
  host: string;
  /** Remote port: the dialled port, or the socket's remote (ephemeral) port. */
  port: number;
  /** Our listen port, announced in hello. */
  listenPort: number;
  agent: string;
  now: () => number;
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
 * One peer link over any duplex stream (a TCP socket, or an in-memory pair in tests):
 * decodes frames, runs the handshake, answers pings, drops idle or slow peers. After
 * the handshake it emits 'open' and then every other message as 'message'.
 *
 * Events: 'open' (), 'message' (msg), 'close' (info: CloseInfo) — 'close' comes once,
 * as soon as the link is logically over; `released` resolves when the stream is gone.
 */
export class PeerConnection extends EventEmitter {
  state: 'handshake' | 'open' | 'closed' = 'handshake';
  remoteHello: HelloMsg | null = null;
  /** Verified node id (hex), set when the handshake completed. */
  remoteId: string | null = null;
  connectedAt = 0;
  closeInfo: CloseInfo | null = null;
  framesIn = 0;
  framesOut = 0;
  bytesIn = 0;
  readonly released: Promise<void>;

  private readonly decoder: FrameDecoder;
  private readonly writer: FrameWriter;
  private readonly hello: HelloMsg;
  private authSent = false;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private idleTicks = 0;
  private pingSeq = 0;
  private pingsUnanswered = 0;
  /** Ping numbers sent and not answered yet (bounded: the peer is dropped first). */
  private readonly pingsOut = new Set<number>();
  private readonly pongWaiters = new Map<number, () => void>();

  constructor(
    readonly stream: Duplex,
    readonly opts: ConnectionOptions,
  ) {
    super();
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    this.writer = new FrameWriter(stream, opts.maxWriteBufferBytes, () => this.drop(ErrorCode.SLOW_READER, 'peer does not read'));
    this.hello = makeHello(opts.identity, opts.listenPort, opts.agent, opts.now());
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
    this.handshakeTimer = setTimeout(
      () => this.fail(new ProtocolError(ErrorCode.HANDSHAKE_TIMEOUT, `no handshake within ${this.opts.handshakeTimeoutMs} ms`)),
      this.opts.handshakeTimeoutMs,
    );
    this.sendNow(this.hello);
  }

  /**
   * Resolves once the peer has answered a ping sent now. By then it has handled every
   * frame we sent before the ping (TCP keeps order, and frames are handled as they are
   * read), which makes this a barrier for quiescence checks. Resolves too if the link
   * closes first.
   */
  roundTrip(): Promise<void> {
    if (this.state !== 'open') return Promise.resolve();
    const n = ++this.pingSeq;
    this.pingsOut.add(n);
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
    const frame = encodeFrame({ t: 'error', code: err.code, message: err.message.slice(0, 200) });
    this.framesOut++;
    this.writer.end(frame);
    this.graceTimer = setTimeout(() => this.stream.destroy(), CLOSE_GRACE_MS);
    this.end('local', err.code, err.message);
  }

  /** Ends the link at once, without a word (slow reader, shutdown of a half-open stream). */
  drop(code: string, message: string): void {
    if (this.state === 'closed') return;
    this.writer.release();
    this.stream.destroy();
    this.end('local', code, message);
  }

  private sendNow(msg: Message): boolean {
    if (!this.writer.write(encodeFrame(msg))) return false;
    this.framesOut++;
    return true;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return; // after a refusal the rest is read and discarded
    this.bytesIn += chunk.length;
    try {
      for (const msg of this.decoder.push(chunk)) {
        this.framesIn++;
        this.idleTicks = 0;
        this.handle(msg);
        if (this.isClosed()) return;
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.fail(err);
    }
  }

  private handle(msg: Message): void {
    if (msg.t === 'error') {
      this.writer.end();
      this.end('remote', msg.code, msg.message);
      return;
    }
    if (this.state === 'handshake') return this.handleHandshake(msg);
    switch (msg.t) {
      case 'hello':
      case 'auth':
        throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `${msg.t} after the handshake`);
      case 'ping':
        this.sendNow({ t: 'pong', n: msg.n });
        return;
      case 'pong': {
        // Receiving it already reset the idle count; it may also end a roundTrip().
        // Only an answer to a ping we sent shows responsiveness (a peer echoing any n
        // would otherwise hold every roundTrip() forever).
        if (!this.pingsOut.delete(msg.n)) return;
        this.pingsUnanswered = 0;
        const waiter = this.pongWaiters.get(msg.n);
        if (waiter) {
          this.pongWaiters.delete(msg.n);
          waiter();
        }
        return;
      }
      default:
        this.emit('message', msg);
    }
  }

  private handleHandshake(msg: Message): void {
    if (msg.t === 'hello' && !this.remoteHello) {
      checkHello(msg, { selfId: this.opts.identity.publicKey, now: this.opts.now(), maxClockSkewMs: this.opts.maxClockSkewMs });
      const refusal = this.opts.refuseId?.(Buffer.from(msg.id).toString('hex'));
      if (refusal) throw refusal;
      this.remoteHello = msg;
      this.sendNow(makeAuth(this.opts.identity, msg));
      this.authSent = true;
      return;
    }
    if (msg.t === 'auth' && this.remoteHello && this.authSent) {
      checkAuth(msg, this.remoteHello, this.hello.nonce);
      this.remoteId = Buffer.from(this.remoteHello.id).toString('hex');
      this.state = 'open';
      this.connectedAt = this.opts.now();
      this.clearTimer('handshakeTimer');
      this.pingTimer = setInterval(() => this.keepalive(), this.opts.pingIntervalMs);
      this.emit('open');
      return;
    }
    throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `${msg.t} before the handshake completed`);
  }

  private keepalive(): void {
    // Counting silent intervals instead of reading a clock keeps this independent of
    // the injected wall clock `now`.
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
    this.pingsOut.add(++this.pingSeq);
    this.sendNow({ t: 'ping', n: this.pingSeq });
  }

  private end(by: CloseInfo['by'], code: string, message: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearTimer('handshakeTimer');
    this.clearTimer('pingTimer');
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
      clearTimeout(t);
      this[name] = null;
    }
  }
}
