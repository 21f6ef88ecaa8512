import type { Logger } from '../log/logger';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { HEADER_BYTES } from '../wire/frame';
import { SyncMsg } from '../wire/messages';
import { decodeEvent, GossipEvent, RawEvent, verifyEvent } from './event';
import { syncBatches } from './sync-batches';

/** The side of a peer link book sync needs. */
export interface SyncLink {
  readonly remoteId: string | null;
  send(msg: SyncMsg): boolean;
  waitQueuedBelow(bytes: number): Promise<void>;
}

export interface SyncConfig {
  maxFrameBytes: number;
  maxWriteBufferBytes: number;
  log: Logger;
  /** The signed events of our book, as the app wants them sent. */
  source?: () => Iterable<RawEvent>;
}

/**
 * Book sync, both directions: right after a handshake each side streams its book in
 * `sync` frames under the frame limit, ending with `done: true`; the receiver verifies
 * each frame whole and hands its events on (NetNode adopts the fresh unseen ones as
 * gossip — validated, delivered, relayed — and gives the rest to the app as sync events).
 */
export class BookSync {
  readonly counts = { in: 0, out: 0 };
  private readonly received = new WeakMap<SyncLink, { done: boolean; count: number }>();

  constructor(private readonly cfg: SyncConfig) {}

  /** Starts both directions for a new link: expects its batches, streams ours to it. */
  start(link: SyncLink): Promise<void> {
    this.received.set(link, { done: false, count: 0 });
    return this.send(link);
  }

  /**
   * Verifies one received `sync` frame. Returns its events and, on the last frame, the
   * total for the link. Throws ProtocolError on forgery or a sync after `done`.
   */
  receive(link: SyncLink, msg: SyncMsg): { events: GossipEvent[]; total: number | null } {
    const state = this.received.get(link);
    if (!state || state.done) throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, 'sync after the sync was done');
    // The whole frame is verified before any of it is used: one forgery rejects it all.
    const events = msg.events.map((e) => {
      const ev = decodeEvent(e.body, e.sig, 0);
      if (!verifyEvent(ev)) throw new ProtocolError(ErrorCode.BAD_SIGNATURE, `sync event ${ev.id} is not signed by its origin`);
      return ev;
    });
    state.count += events.length;
    this.counts.in += events.length;
    if (!msg.done) return { events, total: null };
    state.done = true;
    // No log line here: the app reports sync.done with what the events meant to it.
    return { events, total: state.count };
  }

  /** Streams our book, paced so the link's write queue never passes half its bound. */
  private async send(link: SyncLink): Promise<void> {
    let source: Iterable<RawEvent> = [];
    try {
      source = this.cfg.source?.() ?? [];
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
