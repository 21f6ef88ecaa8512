/**
 * Event budgets: a token bucket per key (an origin node id, or a link) and per class of
 * event. `charge(key, cls, now)` is the one call: true = within budget, apply and relay;
 * false = over budget: do not apply, do not relay, count it against the sending link
 * (PeerScores 'over-budget'). Pure: time comes in.
 *
 * Two tables with different rates are meant to be used side by side (docs/POLICY.md):
 * per origin (what one node may publish: bounds an event flood from one key on every
 * node) and per link (what one neighbour may forward, whatever the origins: bounds a
 * flood spread over many fresh keys to what one link can carry).
 */
import { BoundedMap } from './bounded-map';
import { TokenBucket, verifyRate, type RateSpec } from './token-bucket';

/**
 * Classes of event, charged separately so a burst of one kind cannot starve another:
 * 'order' = a new order (order.add), the one that costs memory on every node until it
 * closes; 'accept' = a take of someone's order, which makes its owner answer;
 * 'other' = everything else (cancels, owner updates, heartbeats).
 */
export type BudgetClass = 'order' | 'accept' | 'other';
export const BUDGET_CLASSES: readonly BudgetClass[] = ['order', 'accept', 'other'];

export type BudgetPolicy = Record<BudgetClass, RateSpec>;

/**
 * What one node may publish. An honest operator places a few orders a second at most;
 * the burst lets a script lay a ladder of 50 orders at once. At 5/s a 20,000-order flood
 * from one key takes over an hour instead of a few seconds (issue 11), and every other
 * node refuses the excess too, since every node applies the same budget.
 */
export const ORIGIN_ORDER_RATE: RateSpec = { tokens: 5, perMs: 1000, burst: 50 };
/** A market order sweeping a thin book sends one accept per resting order it takes: room for 100 at once. */
export const ORIGIN_ACCEPT_RATE: RateSpec = { tokens: 10, perMs: 1000, burst: 100 };
/**
 * Cancels, owner updates (one per accept answered, so an owner of a popular order
 * publishes as fast as it is taken: up to the sum of takers' accept rates) and heartbeats.
 */
export const ORIGIN_OTHER_RATE: RateSpec = { tokens: 50, perMs: 1000, burst: 500 };

/**
 * What one link may forward, summed over every origin. Ten origins at their full
 * sustained rate fit, and a neighbour's backlog after a reconnect fits in the burst;
 * beyond that a single link is a flood, whoever signed it.
 */
export const LINK_ORDER_RATE: RateSpec = { tokens: 50, perMs: 1000, burst: 500 };
export const LINK_ACCEPT_RATE: RateSpec = { tokens: 50, perMs: 1000, burst: 500 };
export const LINK_OTHER_RATE: RateSpec = { tokens: 500, perMs: 1000, burst: 5000 };

/**
 * An inbound link younger than this is *young*: what it relays (events of origins other
 * than itself) is charged to one pool shared by every young inbound link as well as to
 * its own budget. An attacker that comes back under a fresh key each time it is dropped
 * gets a fresh link budget each time (bench:adversary, flood-fresh-keys: 6 links carried
 * 3,500 orders in 10 s); the pool bounds all of them together. Links we dialled are not
 * pooled: we chose them (address manager, netgroup diversity), and a node that just
 * joined gets its live gossip through them. A minute covers a reconnect storm.
 */
export const YOUNG_LINK_MS = 60_000;
/**
 * The young inbound links' pool: a fifth of one link's budget. What an honest newcomer
 * relays to us we also get from our established links; its own events are not pooled
 * (their origin budget bounds them).
 */
export const DEFAULT_YOUNG_LINKS_BUDGETS: BudgetPolicy = {
  order: { tokens: 10, perMs: 1000, burst: 100 },
  accept: { tokens: 10, perMs: 1000, burst: 100 },
  other: { tokens: 100, perMs: 1000, burst: 1000 },
};

export const DEFAULT_ORIGIN_BUDGETS: BudgetPolicy = { order: ORIGIN_ORDER_RATE, accept: ORIGIN_ACCEPT_RATE, other: ORIGIN_OTHER_RATE };
export const DEFAULT_LINK_BUDGETS: BudgetPolicy = { order: LINK_ORDER_RATE, accept: LINK_ACCEPT_RATE, other: LINK_OTHER_RATE };

/**
 * Keys remembered per table. A trading network has tens to hundreds of nodes, so 10,000
 * origins is far above any honest need while costing at most a few MB (three buckets
 * and a map entry per key). Past it the least recently charged key is forgotten, which
 * at worst hands that key a fresh burst: an attacker cycling fresh keys gets fresh
 * bursts anyway, and the link budget still bounds what it can push through one link.
 */
export const BUDGET_MAX_KEYS = 10_000;

export class Budgets {
  private readonly buckets: BoundedMap<string, Record<BudgetClass, TokenBucket>>;

  constructor(
    readonly policy: BudgetPolicy,
    maxKeys = BUDGET_MAX_KEYS,
  ) {
    for (const cls of BUDGET_CLASSES) verifyRate(policy[cls], cls);
    this.buckets = new BoundedMap(maxKeys);
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  /** Spends `cost` (default 1) of `key`'s `cls` budget; false = over budget, nothing spent. */
  charge(key: string, cls: BudgetClass, now: number, cost = 1): boolean {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = {
        order: new TokenBucket(this.policy.order),
        accept: new TokenBucket(this.policy.accept),
        other: new TokenBucket(this.policy.other),
      };
      this.buckets.set(key, b);
    }
    return b[cls].take(cost, now);
  }

  /** Whole tokens `key` holds for `cls` (a forgotten key holds a full burst). */
  available(key: string, cls: BudgetClass, now: number): number {
    return this.buckets.peek(key)?.[cls].available(now) ?? this.policy[cls].burst;
  }

  /** Forgets a key (e.g. a link that closed): its memory is released at once. */
  forget(key: string): void {
    this.buckets.delete(key);
  }
}
