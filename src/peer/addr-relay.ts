/**
 * Per-link limits on what a neighbour may tell us about addresses (Bitcoin Core's
 * per-peer addr rate limit). A `peers` message is honestly sent once, when a link
 * opens; the addresses in it are learned at a sustained rate, with room for the first
 * message. Over the limit, messages are ignored and the link's score pays
 * (PeerScores 'peers-flood'); extra addresses are simply not learned, unpunished, since
 * an honest peer may know more than we want to hear. Pure: time comes in.
 */
import { TokenBucket, type RateSpec } from '../limits/token-bucket';

/** Honest peers send one `peers` message per link; room for two, then one per 10 minutes. */
export const PEERS_MESSAGE_RATE: RateSpec = { tokens: 1, perMs: 600_000, burst: 2 };
/**
 * Addresses learned per link: two full messages (MAX_PEERS_PER_MESSAGE = 32) at once,
 * then one every 10 s (Core: 0.1 a second). 1,600 addresses from one link take 4.4 hours.
 */
export const ADDR_LEARN_RATE: RateSpec = { tokens: 1, perMs: 10_000, burst: 64 };

export interface AddrRelayVerdict {
  /** False: ignore the whole message and record 'peers-flood' against the link. */
  accepted: boolean;
  /** How many of its addresses to learn (the first ones), the rest ignored. */
  learn: number;
}

/** One per link, created when it opens. */
export class AddrRelayLimit {
  private readonly messages: TokenBucket;
  private readonly addrs: TokenBucket;

  constructor(messageRate: RateSpec = PEERS_MESSAGE_RATE, addrRate: RateSpec = ADDR_LEARN_RATE) {
    this.messages = new TokenBucket(messageRate);
    this.addrs = new TokenBucket(addrRate);
  }

  /** A `peers` message with `count` addresses arrived at `now`. */
  admit(count: number, now: number): AddrRelayVerdict {
    if (!this.messages.take(1, now)) return { accepted: false, learn: 0 };
    const learn = Math.min(count, this.addrs.available(now));
    this.addrs.take(learn, now);
    return { accepted: true, learn };
  }
}
