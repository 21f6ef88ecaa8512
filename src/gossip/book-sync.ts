import type { Clock } from '../clock/clock';
import type { Logger } from '../log/logger';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { HEADER_BYTES } from '../wire/frame';
import { SyncMsg } from '../wire/messages';
import { decodeEvent, GossipEvent, RawEvent, verifyEvent } from './event';
import { syncBatches } from './sync-batches';

/**
 * Events of a sync frame handled per turn of the event loop. A signature check costs
 * ~60 µs on an idle core and applying an order event about as much, but four times that
 * on a busy one (measured: bench:sync-block); 16 keep one turn near 2–10 ms, so a 1 MiB
 * frame (~4,500 events) never holds the loop for long, for ~300 turns of ~1 ms each.
 */
export const SYNC_SLICE = 16;
/**
 * Entries one peer's book sync may hold. Every owner keeps at most 100 open orders with
 * a few events each: 50,000 is a book of hundreds of busy owners, and bounds what one
 * link can make us check (a peer could otherwise send `done: false` batches forever).
 */
export const SYNC_MAX_EVENTS = 50_000;

/** The side of a peer link book sync needs. */
export interface SyncLink {
  readonly remoteId: string | null;
  send(msg: SyncMsg): boolean;
  waitQueuedBelow(bytes: number): Promise<void>;
}

export interface SyncConfig {
  maxFrameBytes: number;
  maxWriteBufferBytes: number;
  clock: Clock;
  log: Logger;
  /** This very copy was handled already: skipped before any signature check. */
  handled(ev: GossipEvent): boolean;
  /** One verified event of a peer's sync (the router decides what it is). */
  deliver(ev: GossipEvent, from: string): void;
  /** An entry already handled, offered again (not verified: only its id is known). */
  offeredAgain(id: string, from: string): void;
  /** The peer's sync is complete: `count` events came in it. */
  done(from: string, count: number): void;
}

/**
 * Book sync, both directions: right after a handshake each side streams its book in
 * `sync` frames under the frame limit, ending with `done: true`. The receiver checks
 * every entry of a frame (shape, signature) before using any of it, then hands them on
 * — both passes in slices, so a large frame never blocks the event loop for long. The
 * link handles nothing else from that peer meanwhile (see PeerConnection), so frame
 * order holds.
 */
export class BookSync {
  readonly counts = { in: 0, out: 0 };
  private readonly received = new WeakMap<SyncLink, { done: boolean; count: number }>();
  private source: (to: string) => Iterable<RawEvent> = () => [];

  constructor(private readonly cfg: SyncConfig) {}

  /** Wires where our own book comes from (construct, wire, then start). */
  setSource(source: (to: string) => Iterable<RawEvent>): void {
    this.source = source;
  }

  /** Starts both directions for a new link: expects its batches, streams ours to it. */
  start(link: SyncLink): Promise<void> {
    this.received.set(link, { done: false, count: 0 });
    return this.send(link);
  }

  /** One received `sync` frame. Throws ProtocolError on a malformed entry, a forgery or a sync after `done`. */
  onSync(link: SyncLink, msg: SyncMsg): void | Promise<void> {
    const state = this.received.get(link);
    if (!state || state.done) throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, 'sync after the sync was done');
    const from = link.remoteId as string;
    if (state.count + msg.events.length > SYNC_MAX_EVENTS) {
      throw new ProtocolError(ErrorCode.SYNC_TOO_LARGE, `a book sync of more than ${SYNC_MAX_EVENTS} events`);
    }
    if (msg.events.length <= SYNC_SLICE) {
      const events = msg.events.map((e) => this.open(e, from));
      return this.finish(state, msg, from, events);
    }
    return this.sliced(state, msg, from);
  }

  private async sliced(state: { done: boolean; count: number }, msg: SyncMsg, from: string): Promise<void> {
    // The whole frame is checked before any of it is used: one forgery rejects it all.
    const events: Array<GossipEvent | null> = [];
    for (let i = 0; i < msg.events.length; i += SYNC_SLICE) {
      if (i > 0) await this.nextTurn();
      for (const e of msg.events.slice(i, i + SYNC_SLICE)) events.push(this.open(e, from));
    }
    for (let i = 0; i < events.length; i += SYNC_SLICE) {
      await this.nextTurn();
      for (const ev of events.slice(i, i + SYNC_SLICE)) if (ev) this.cfg.deliver(ev, from);
    }
    this.tally(state, msg, from, events.length);
  }

  private finish(state: { done: boolean; count: number }, msg: SyncMsg, from: string, events: Array<GossipEvent | null>): void {
    for (const ev of events) if (ev) this.cfg.deliver(ev, from);
    this.tally(state, msg, from, events.length);
  }

  private tally(state: { done: boolean; count: number }, msg: SyncMsg, from: string, n: number): void {
    state.count += n;
    this.counts.in += n;
    if (!msg.done) return;
    state.done = true;
    this.cfg.done(from, state.count);
  }

  /** Decodes and verifies one entry; null for one already handled (not re-verified). */
  private open(e: RawEvent, from: string): GossipEvent | null {
    const ev = decodeEvent(e.body, e.sig, 0);
    if (this.cfg.handled(ev)) {
      this.cfg.offeredAgain(ev.id, from);
      return null;
    }
    if (!verifyEvent(ev)) throw new ProtocolError(ErrorCode.BAD_SIGNATURE, `sync event ${ev.id} is not signed by its origin`);
    return ev;
  }

  private nextTurn(): Promise<void> {
    return new Promise((resolve) => this.cfg.clock.setTimeout(resolve, 0));
  }

  /** Streams our book, paced so the link's write queue never passes half its bound. */
  private async send(link: SyncLink): Promise<void> {
    let source: Iterable<RawEvent> = [];
    try {
      source = this.source(link.remoteId as string);
    } catch (err) {
      this.cfg.log.warn('sync.source-failed', { error: (err as Error).message });
    }
    const oversize = () => this.cfg.log.warn('sync.skipped', { peer: link.remoteId, reason: 'event larger than a frame' });
    for (const batch of syncBatches(source, this.cfg.maxFrameBytes - HEADER_BYTES, oversize)) {
      await link.waitQueuedBelow(this.cfg.maxWriteBufferBytes / 2);
      if (!link.send(batch)) return;
      this.counts.out += batch.events.length;
    }
  }
}
