import { SIG_BYTES, SyncMsg } from '../wire/messages';
import type { RawEvent } from './event';

/**
 * Worst-case MessagePack bytes around one `{body, sig}` entry: fixmap header (1),
 * "body" key (5), bin32 header (5), "sig" key (4), bin8 header (2).
 */
const ENTRY_OVERHEAD = 17;
/** Worst case around the array: the map, `t`, "sync", `events` + array32 header, `done`. */
const FRAME_OVERHEAD = 32;

/**
 * Splits a book-sync stream into `sync` messages whose encoded payload stays within
 * `maxFrameBytes`. The last one says `done: true`, and there always is one, so a peer
 * with an empty book still tells the other side it has nothing. An event too big to
 * fit any frame is skipped and reported through `oversize`.
 */
export function* syncBatches(events: Iterable<RawEvent>, maxFrameBytes: number, oversize: (ev: RawEvent) => void = () => {}): Generator<SyncMsg> {
  const budget = maxFrameBytes - FRAME_OVERHEAD;
  let batch: RawEvent[] = [];
  let size = 0;
  for (const ev of events) {
    const n = ev.body.length + SIG_BYTES + ENTRY_OVERHEAD;
    if (n > budget) {
      oversize(ev);
      continue;
    }
    if (size + n > budget) {
      yield { t: 'sync', events: batch, done: false };
      batch = [];
      size = 0;
    }
    batch.push({ body: ev.body, sig: ev.sig });
    size += n;
  }
  yield { t: 'sync', events: batch, done: true };
}
