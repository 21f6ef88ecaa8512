/**
 * Who gets in: every event new to this node, before it is applied or relayed, is
 * charged to its origin's budget and to the budget of the link it came by (token
 * buckets per class: new orders, accepts, everything else — src/limits/budgets.ts).
 * Over budget: not applied, not relayed, counted, and reported against the link (its
 * score falls; a link that keeps it up is dropped and banned — src/peer). A refusal by
 * the checks is reported too, but only when no honest relay could have forwarded it
 * (a malformed or forged-looking event); a refusal that depends on what this node
 * happens to know (an order not seen yet, a cap reached) costs the link nothing.
 *
 * Book sync is history, not a flood of new events: a peer's sync may hold at most
 * SYNC_MAX_EVENTS entries (src/gossip/book-sync.ts); the fresh ones among them are
 * charged to their origins.
 * Docs: docs/POLICY.md, "Event budgets".
 */
import type { Clock } from '../clock/clock';
import { Budgets, DEFAULT_LINK_BUDGETS, DEFAULT_ORIGIN_BUDGETS, DEFAULT_YOUNG_LINKS_BUDGETS, YOUNG_LINK_MS, type BudgetClass, type BudgetPolicy } from '../limits/budgets';
import type { Logger } from '../log/logger';
import type { Outcome } from '../net/node';
import { KIND } from './events';
import { INVALID } from './kinds';
import { BAD_REFRESH } from './kinds/refresh';

/** Refused: over its origin's budget. */
export const OVER_ORIGIN_BUDGET = 'OVER_ORIGIN_BUDGET';
/** Not published: over our own origin budget (peers would refuse it). */
export const OVER_OWN_BUDGET = 'OVER_OWN_BUDGET';
/** Refused: over the budget of the link it came by. */
export const OVER_LINK_BUDGET = 'OVER_LINK_BUDGET';
/** Refused: relayed by a young inbound link while all of them together were over their shared budget. */
export const OVER_YOUNG_LINKS_BUDGET = 'OVER_YOUNG_LINKS_BUDGET';
/** The one key of the young links' shared pool. */
const YOUNG = 'young';

/**
 * Refusals no honest relay forwards: they depend on the event alone, and every node
 * checks them before relaying. Others (unknown order, a cap, a stale heartbeat, an old
 * event) depend on what a node has seen, so an honest relay may forward them.
 */
const FAULTS: ReadonlySet<string> = new Set([
  INVALID.SHAPE,
  INVALID.KIND,
  INVALID.NOT_OWNER,
  INVALID.BAD_ADD,
  INVALID.BAD_ACCEPT,
  INVALID.OVERFILL,
  INVALID.OVERGRANT,
  INVALID.STATUS,
  INVALID.DEADLINE,
  BAD_REFRESH,
]);

export function budgetClass(kind: string): BudgetClass {
  return kind === KIND.add ? 'order' : kind === KIND.accept ? 'accept' : 'other';
}

export interface AdmissionOptions {
  origin?: BudgetPolicy;
  link?: BudgetPolicy;
  /** The pool young inbound links share. */
  young?: BudgetPolicy;
  youngLinkMs?: number;
}

export class Admission {
  private readonly origins: Budgets;
  private readonly links: Budgets;
  private readonly young: Budgets;
  private readonly youngLinkMs: number;
  /** When each open inbound link opened (one entry per such link: set on open, deleted on close). */
  private readonly openedAt = new Map<string, number>();
  /** Events refused, per reason (status, metrics). */
  readonly refused = new Map<string, number>();
  /** Origins throttled lately: one log line per origin per minute, not one per event. */
  private readonly logged = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly report: (peer: string, outcome: Outcome) => void,
    private readonly log: Logger,
    opts: AdmissionOptions = {},
  ) {
    this.origins = new Budgets(opts.origin ?? DEFAULT_ORIGIN_BUDGETS);
    this.links = new Budgets(opts.link ?? DEFAULT_LINK_BUDGETS);
    this.young = new Budgets(opts.young ?? DEFAULT_YOUNG_LINKS_BUDGETS, 1);
    this.youngLinkMs = opts.youngLinkMs ?? YOUNG_LINK_MS;
  }

  /**
   * Charges a live event new to us to the link it came by — before its signature is
   * checked, so a flood over the link's budget costs us a decode, not a verify. Over:
   * dropped (and not remembered as seen: a copy from a link with room is still taken),
   * and counted fully against the link: an honest node paces what it sends each peer to
   * this very budget (src/net/relay-shaper.ts), so only a flood goes over it.
   */
  chargeLink(link: string, origin: string, kind: string): string | null {
    const cls = budgetClass(kind);
    const now = this.clock.now();
    if (!this.links.charge(link, cls, now)) return this.over(OVER_LINK_BUDGET, link, link, 'over-budget');
    // A young inbound link's relays share one pool with every other one's. Its own events
    // (origin = link) are bounded by that key's origin budget instead. Over the pool is
    // not this link's fault (others drained it): refused, not held against it, and not
    // remembered as seen, so the event is still taken from an established link.
    if (origin !== link && this.isYoung(link, now) && !this.young.charge(YOUNG, cls, now)) return this.over(OVER_YOUNG_LINKS_BUDGET, YOUNG, null, 'excess');
    // An origin with no budget left would be refused after the check anyway: turn it away
    // before paying for the verify. Only a look (a forger cannot spend an honest origin's
    // budget), charged for real once the signature holds.
    if (this.origins.available(origin, cls, now) < 1) return this.over(OVER_ORIGIN_BUDGET, origin, link, link === origin ? 'over-budget' : 'excess');
    return null;
  }

  /**
   * Charges a verified event new to us to its origin. Over: refused (not remembered as
   * seen). It counts fully against the link only when the link is the origin itself —
   * it flooded us with its own events; a relay that let it through its own budget (every
   * node runs the same ones, a refill apart) is barely charged.
   */
  chargeOrigin(origin: string, kind: string, link: string | null): string | null {
    if (this.origins.charge(origin, budgetClass(kind), this.clock.now())) return null;
    return this.over(OVER_ORIGIN_BUDGET, origin, link, link === origin ? 'over-budget' : 'excess');
  }

  /**
   * Our own event pays our own origin budget, as every peer will charge it: what we
   * publish beyond it the network would refuse, so we do not publish it. False = over.
   */
  chargeOwn(me: string, kind: string): boolean {
    const ok = this.origins.charge(me, budgetClass(kind), this.clock.now());
    if (!ok) this.count(OVER_OWN_BUDGET);
    return ok;
  }

  /** Whether our own budget has room for one more event of `kind` (nothing spent). */
  ownRoom(me: string, kind: string): boolean {
    return this.origins.available(me, budgetClass(kind), this.clock.now()) >= 1;
  }

  /** The checks refused an event from `link`: counted, and reported when it is the link's fault. */
  checked(code: string, link: string | null): void {
    this.count(code);
    if (link !== null && FAULTS.has(code)) this.report(link, 'invalid');
  }

  /** A link opened: an inbound one is young from now for youngLinkMs (one we dialled never is). */
  linkOpened(link: string, direction: 'inbound' | 'outbound'): void {
    if (direction === 'inbound') this.openedAt.set(link, this.clock.now());
  }

  /** Forgets a closed link's budget. */
  linkClosed(link: string): void {
    this.links.forget(link);
    this.openedAt.delete(link);
  }

  private isYoung(link: string, now: number): boolean {
    const at = this.openedAt.get(link);
    return at !== undefined && now - at < this.youngLinkMs;
  }

  private over(code: string, who: string, link: string | null, outcome: Outcome): string {
    this.count(code);
    if (link !== null) this.report(link, outcome);
    const now = this.clock.now();
    const last = this.logged.get(who);
    if (last === undefined || now - last >= 60_000) {
      this.logged.delete(who);
      if (this.logged.size >= 1000) this.logged.delete(this.logged.keys().next().value as string);
      this.logged.set(who, now);
      this.log.warn('events.throttled', code === OVER_YOUNG_LINKS_BUDGET ? { code } : { [code === OVER_LINK_BUDGET ? 'peer' : 'origin']: who, code });
    }
    return code;
  }

  private count(code: string): void {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }
}
