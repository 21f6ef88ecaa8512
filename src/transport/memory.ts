/**
 * An in-memory network on an injected clock: every node gets a Transport at its own
 * host address, and streams between them behave like TCP seen from user space —
 * ordered bytes, latency and jitter, loss as retransmission delay (head-of-line
 * blocking), a bandwidth limit with backpressure, refused and timed-out connects, and
 * partitions that hold bytes until they heal. No ports, no kernel: a test or the
 * simulator runs hundreds of nodes in one process, in virtual time, deterministically.
 */
import { Duplex } from 'node:stream';
import type { Clock } from '../clock/clock';
import type { Endpoint, Listener, Transport } from './transport';

export interface LinkProfile {
  /** One-way delay, ms. */
  latencyMs: number;
  /** Extra one-way delay, uniform in [0, jitterMs). Order is kept (TCP). */
  jitterMs: number;
  /** Chance that a write is lost once and retransmitted `retransmitMs` later. */
  loss: number;
  retransmitMs: number;
  /** Bytes per ms each way; Infinity = no limit. */
  bytesPerMs: number;
}

export const DEFAULT_LINK: LinkProfile = { latencyMs: 1, jitterMs: 0, loss: 0, retransmitMs: 200, bytesPerMs: Infinity };

/** One direction of one connection. */
interface Pipe {
  from: string;
  to: string;
  /** The receiving end. */
  dest: MemoryStream;
  /** When the sender's last byte left (bandwidth). */
  freeAt: number;
  /** When the last chunk arrives: later chunks never arrive earlier (in order). */
  lastArrival: number;
  /**
   * Chunks held by a partition, with their write callbacks: sent while it was in force,
   * or in flight when it came. Released in sequence order when it heals.
   */
  held: Chunk[];
  /** Deliveries already scheduled at `batchAt` (chunks written within one ms share a timer). */
  batch: Chunk[] | null;
  batchAt: number;
  /** The sequence number of the next chunk sent. */
  seqOut: number;
  /** The sequence number of the next chunk delivered: the bytes arrive in the order sent, as TCP's do. */
  seqIn: number;
  /** Chunks that arrived before one sent earlier (a retransmitted one still on its way). */
  early: Map<number, Buffer | null>;
}

/** One write on a pipe (null = FIN), numbered in the order it was sent. */
interface Chunk {
  seq: number;
  chunk: Buffer | null;
  cb: () => void;
}

class MemoryStream extends Duplex {
  out!: Pipe;
  constructor(
    private readonly net: MemoryNetwork,
    readonly remote: Endpoint,
  ) {
    super({ allowHalfOpen: false });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.net.send(this.out, chunk, () => cb());
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.net.send(this.out, null, () => cb());
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.net.reset(this.out);
    cb(err);
  }
}

export class MemoryNetwork {
  private readonly listeners = new Map<string, (stream: Duplex, remote: Endpoint) => void>();
  private readonly profiles = new Map<string, Partial<LinkProfile>>();
  private readonly hostProfiles = new Map<string, Partial<LinkProfile>>();
  private readonly pipes = new Set<Pipe>();
  private blocked: ((a: string, b: string) => boolean) | null = null;
  private nextPort = new Map<string, number>();
  readonly stats = { bytes: 0, writes: 0, connects: 0, refused: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly defaults: LinkProfile = DEFAULT_LINK,
  ) {}

  /** The network interface of the node at `host` (an IP literal, e.g. "10.0.0.7"). */
  transport(host: string): Transport {
    return {
      listen: (h, port, onStream) => this.listen(h === '0.0.0.0' || h === '::' ? host : h, port, onStream),
      connect: (h, port, opts) => this.connect(host, h, port, opts),
    };
  }

  /** Link properties between two hosts (both directions), over the defaults. */
  setLink(a: string, b: string, p: Partial<LinkProfile>): void {
    this.profiles.set(pairKey(a, b), { ...this.profiles.get(pairKey(a, b)), ...p });
  }

  /** Properties of every link touching `host` (a slow or lossy node). */
  setHost(host: string, p: Partial<LinkProfile>): void {
    this.hostProfiles.set(host, { ...this.hostProfiles.get(host), ...p });
  }

  /** Cuts the network into groups of hosts; hosts in no group can reach nobody. */
  partition(groups: string[][]): void {
    const side = new Map<string, number>();
    groups.forEach((g, i) => g.forEach((h) => side.set(h, i)));
    this.blocked = (a, b) => side.get(a) === undefined || side.get(a) !== side.get(b);
  }

  /** Ends every partition: held bytes go out in order. */
  heal(): void {
    this.blocked = null;
    for (const p of this.pipes) this.release(p);
  }

  isBlocked(a: string, b: string): boolean {
    return this.blocked !== null && a !== b && this.blocked(a, b);
  }

  profile(a: string, b: string): LinkProfile {
    return { ...this.defaults, ...this.hostProfiles.get(a), ...this.hostProfiles.get(b), ...this.profiles.get(pairKey(a, b)) };
  }

  private listen(host: string, port: number, onStream: (stream: Duplex, remote: Endpoint) => void): Promise<Listener> {
    if (port === 0) port = this.ephemeral(host);
    const key = `${host}|${port}`;
    if (this.listeners.has(key)) return Promise.reject(Object.assign(new Error(`listen EADDRINUSE ${host}:${port}`), { code: 'EADDRINUSE' }));
    this.listeners.set(key, onStream);
    return Promise.resolve({
      port,
      close: () => {
        if (this.listeners.get(key) === onStream) this.listeners.delete(key);
        return Promise.resolve();
      },
    });
  }

  private connect(from: string, host: string, port: number, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Duplex> {
    this.stats.connects++;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new Error('cancelled'));
      const prof = this.profile(from, host);
      const rtt = 2 * prof.latencyMs;
      let settled = false;
      const timers: unknown[] = [];
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        for (const t of timers) this.clock.clearTimeout(t as never);
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => finish(() => reject(new Error('cancelled')));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (msg: string, code: string) => () => finish(() => reject(Object.assign(new Error(msg), { code })));
      // A SYN into a partition is lost: the dialler gives up at its timeout.
      if (this.isBlocked(from, host)) {
        timers.push(this.clock.setTimeout(fail(`connect ETIMEDOUT ${host}:${port}`, 'ETIMEDOUT'), opts.timeoutMs));
        return;
      }
      const accept = this.listeners.get(`${host}|${port}`);
      if (!accept) {
        this.stats.refused++;
        timers.push(this.clock.setTimeout(fail(`connect ECONNREFUSED ${host}:${port}`, 'ECONNREFUSED'), rtt));
        return;
      }
      const local: Endpoint = { host: from, port: this.ephemeral(from) };
      const client = new MemoryStream(this, { host, port });
      const server = new MemoryStream(this, local);
      client.out = this.newPipe(from, host, server);
      server.out = this.newPipe(host, from, client);
      // SYN arrives after one latency: the server side exists from then on; the
      // dialler learns of it one more latency later (SYN-ACK).
      timers.push(
        this.clock.setTimeout(() => {
          if (settled) return;
          const listener = this.listeners.get(`${host}|${port}`);
          if (!listener) return fail(`connect ECONNREFUSED ${host}:${port}`, 'ECONNREFUSED')();
          listener(server, local);
        }, prof.latencyMs),
      );
      timers.push(this.clock.setTimeout(() => finish(() => resolve(client)), rtt));
      timers.push(
        this.clock.setTimeout(() => {
          finish(() => reject(Object.assign(new Error(`connect ETIMEDOUT ${host}:${port}`), { code: 'ETIMEDOUT' })));
          server.destroy();
          client.destroy();
        }, Math.max(opts.timeoutMs, rtt + 1)),
      );
    });
  }

  /** @internal Sends a chunk (null = FIN) along a pipe; `done` when it has left the sender. */
  send(p: Pipe, chunk: Buffer | null, done: () => void): void {
    if (chunk) {
      this.stats.bytes += chunk.length;
      this.stats.writes++;
    }
    if (this.isBlocked(p.from, p.to)) {
      // Held in the send buffer: the write is not done, so the sender's queue grows.
      p.held.push({ seq: p.seqOut++, chunk, cb: done });
      return;
    }
    this.transmit(p, { seq: p.seqOut++, chunk, cb: done });
  }

  /** @internal The sender destroyed its end: the other end is reset once the bytes before it arrive. */
  reset(p: Pipe): void {
    this.pipes.delete(p);
    // A reset sent into a partition is lost: the other end finds out by its own timeouts.
    if (this.isBlocked(p.from, p.to)) return;
    const dest = p.dest;
    const at = Math.max(this.clock.now(), p.lastArrival);
    this.clock.setTimeout(() => {
      if (!dest.destroyed) dest.destroy();
    }, at - this.clock.now() + this.profile(p.from, p.to).latencyMs);
  }

  private transmit(p: Pipe, c: Chunk): void {
    const { chunk, cb: done } = c;
    const prof = this.profile(p.from, p.to);
    const now = this.clock.now();
    const size = chunk ? chunk.length : 0;
    const departs = Number.isFinite(prof.bytesPerMs) ? Math.max(now, p.freeAt) + size / prof.bytesPerMs : now;
    p.freeAt = departs;
    if (departs > now) this.clock.setTimeout(done, Math.ceil(departs - now));
    else done();
    let arrives = departs + prof.latencyMs;
    if (prof.jitterMs > 0) arrives += this.clock.random() * prof.jitterMs;
    if (prof.loss > 0 && this.clock.random() < prof.loss) arrives += prof.retransmitMs;
    arrives = Math.ceil(Math.max(arrives, p.lastArrival));
    p.lastArrival = arrives;
    const sent: Chunk = { seq: c.seq, chunk, cb: () => {} };
    if (p.batch && p.batchAt === arrives) {
      p.batch.push(sent);
      return;
    }
    const batch: Chunk[] = [sent];
    p.batch = batch;
    p.batchAt = arrives;
    this.clock.setTimeout(() => this.arrive(p, batch), arrives - now);
  }

  private arrive(p: Pipe, batch: Chunk[]): void {
    if (p.batch === batch) p.batch = null;
    // Cut while in flight: the bytes are retransmitted once the partition heals.
    if (this.isBlocked(p.from, p.to)) {
      p.held.push(...batch);
      return;
    }
    // A chunk never overtakes one sent before it: one that arrives while an earlier
    // one is still being retransmitted (held by a partition that has healed since)
    // waits for it, as TCP's receive buffer does.
    for (const c of batch) p.early.set(c.seq, c.chunk);
    while (p.early.has(p.seqIn)) {
      const chunk = p.early.get(p.seqIn) as Buffer | null;
      p.early.delete(p.seqIn);
      p.seqIn++;
      if (p.dest.destroyed || p.dest.readableEnded) return;
      p.dest.push(chunk);
    }
  }

  private release(p: Pipe): void {
    const held = p.held.splice(0).sort((x, y) => x.seq - y.seq);
    for (const h of held) this.transmit(p, h);
  }

  private newPipe(from: string, to: string, dest: MemoryStream): Pipe {
    const p: Pipe = { from, to, dest, freeAt: 0, lastArrival: 0, held: [], batch: null, batchAt: -1, seqOut: 0, seqIn: 0, early: new Map() };
    this.pipes.add(p);
    dest.once('close', () => this.pipes.delete(p));
    return p;
  }

  private ephemeral(host: string): number {
    const n = this.nextPort.get(host) ?? 40000;
    this.nextPort.set(host, n >= 65000 ? 40000 : n + 1);
    return n;
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
