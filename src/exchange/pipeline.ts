/**
 * The one path every order event takes, whoever made it:
 *
 *   peer's event (gossip or sync) ─┐
 *   our store, replayed on start ──┼─▶ kind handler: parse → check → apply ─▶ keep (store)
 *   our own new event ─────────────┘                                         └─▶ relay / send
 *
 * Our own events go through the very checks a peer's would (a node relays nothing it
 * would refuse), are committed to the store before any byte of them is sent, and are
 * applied to our own state before they leave.
 */
import type { Clock } from '../clock/clock';
import { bodyHash } from '../gossip/seen-set';
import { openSigned, type GossipEvent, type NetApp, type NetNode, type PeerView, type RawEvent, type Via } from '../net/node';
import type { EventStore } from '../store/event-store';
import { EventShapeError, KIND } from './events';
import { INVALID, KINDS, type Arrival, type Effects, type SignedEvent } from './kinds';
import { budgetClass, type Admission } from './admission';
import { DUST_ACCEPT, isDust, ORDER_CLOSED } from './kinds/accept';
import { NO_OPEN_ORDERS } from './kinds/heartbeat';
import type { ExchangeState } from './state';

/** Our own budget for this kind of event is spent for now: peers would refuse it. */
export class OwnBudgetSpent extends Error {
  readonly code = 'RATE_LIMITED';
  constructor(readonly kind: string) {
    super(`this node has published as many ${kind} events as every peer takes from one node for now`);
  }
}

/** A check of our own event failed: a bug of ours, never sent. */
export class OwnEventRefused extends Error {
  constructor(
    readonly code: string,
    kind: string,
  ) {
    super(`our own ${kind} event fails the checks (${code})`);
  }
}

/** Refused: older than the gossip window and not about an order its owner vouches for now. */
export const EVENT_TOO_OLD = 'EVENT_TOO_OLD';
const UPDATE_KINDS: ReadonlySet<string> = new Set([KIND.confirm, KIND.fill, KIND.cancel]);
/** Our events committed synchronously before they are sent: the owner's decisions. */
const DURABLE: ReadonlySet<string> = new Set([KIND.add, KIND.confirm, KIND.fill, KIND.cancel]);
/** Our events that may wait for budget: nothing of our own state hangs on them. */
const DISCRETIONARY: ReadonlySet<string> = new Set([KIND.add, KIND.accept, KIND.confirm]);

/** Store keys of proofs (two events each): after every event id in key order, so replayed last. */
export const PROOF_KEY_PREFIX = '~proof~';

/** Where another version of an event is kept: after its first version in key order. */
export function versionKey(id: string, body: Uint8Array): string {
  return `${id}~${bodyHash(body).toString('hex', 0, 16)}`;
}

export interface PipelineHooks {
  /** The first applied event from a peer's book sync (counts per peer), and the end of it. */
  peerOpened(p: PeerView): void;
  peerClosed(p: PeerView, code: string): void;
  syncDone(from: PeerView, count: number): void;
  /** Our book as signed events, for a new peer's sync. */
  syncSource(to: PeerView): Iterable<RawEvent>;
  /** A peer's proof of equivocation (see NetApp.proof). */
  proof(a: SignedEvent, b: SignedEvent): string;
  /** The proofs a new peer gets before its sync. */
  proofs(): Iterable<[RawEvent, RawEvent]>;
}

export class EventPipeline implements NetApp {
  private fx: Effects | null = null;
  private hooks: PipelineHooks | null = null;
  private admission: Admission | null = null;

  constructor(
    private readonly st: ExchangeState,
    private readonly net: NetNode,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Wires what applying sets off, the network hooks and the budgets (construct, wire, then start). */
  wire(fx: Effects, hooks: PipelineHooks, admission: Admission): void {
    this.fx = fx;
    this.hooks = hooks;
    this.admission = admission;
  }

  // ---- NetApp ------------------------------------------------------------------------

  receive(ev: GossipEvent, from: PeerView, via: Via, fresh: boolean): string | null {
    const link = via === 'gossip' ? from.nodeId : null;
    const adm = this.admission!;
    // Sync obeys the gossip window too (currency.ts): an older event is taken only if it
    // is about an order its owner vouches for now — never an old, closed or unvouched one.
    if (!fresh && !this.vouchedNow(ev)) {
      adm.checked(EVENT_TOO_OLD, null);
      return EVENT_TOO_OLD;
    }
    // New events pay their origin's budget (the link's was charged before the signature
    // check, admitLink); history does not.
    if (fresh) {
      const over = adm.chargeOrigin(ev.origin, ev.kind, link);
      if (over !== null) return over;
    }
    const refusal = this.take(ev, { via, from, hops: via === 'gossip' ? ev.hops : null });
    if (refusal !== null) adm.checked(refusal, link);
    return refusal;
  }

  /** Is `ev` (an add, or an owner update) about an order its origin's latest refresh vouches for? */
  private vouchedNow(ev: SignedEvent): boolean {
    const order = ev.kind === KIND.add ? ev.id : UPDATE_KINDS.has(ev.kind) && typeof ev.data.order === 'string' ? ev.data.order : null;
    if (order === null) return false;
    const known = this.st.ledger.get(order);
    return this.st.vouchedNow(ev.origin, order, known?.ts ?? ev.ts);
  }

  /**
   * Another version of an event we handled (the router saw a second body under its id).
   * If we still hold the first, the pair is a proof: the exchange judges it, records
   * the verdict and passes the proof on. This version is then taken like any event if it
   * passes the checks (every node that sees both ends in the same state: the kinds keep,
   * of two versions, the one whose body sorts first) and kept under its own key.
   */
  conflict(ev: GossipEvent, from: PeerView, via: Via): string | null {
    return this.secondVersion(ev, { via, from, hops: via === 'gossip' ? ev.hops : null });
  }

  /** The link budget class a kind pays: our relays of it are paced to that budget. */
  relayClass(kind: string): string {
    return budgetClass(kind);
  }

  /** A live event new to us, before its signature is checked: within the link's budget? */
  admitLink(ev: GossipEvent, from: PeerView): string | null {
    const over = this.admission!.chargeLink(from.nodeId, ev.origin, ev.kind);
    if (over !== null) return over;
    // What would be refused whatever the signature says is refused before paying for it.
    const pointless = this.pointless(ev);
    if (pointless !== null) this.admission!.checked(pointless, null);
    return pointless;
  }

  /**
   * Refusals that need only what the event claims and what we know — cheap enough to
   * run before the signature check, and costing the link nothing (they depend on what
   * this node has seen): an accept of a closed order or a dust accept, a heartbeat of a
   * key with no open order here.
   */
  private pointless(ev: GossipEvent): string | null {
    // A malformed event is the sender's fault: it goes the whole way (and is refused with
    // its own code, against the link).
    const handler = KINDS.get(ev.kind);
    if (!handler) return null;
    try {
      handler.parse(ev.data, ev.raw.body.length);
    } catch (err) {
      if (err instanceof EventShapeError) return null;
      throw err;
    }
    if (ev.kind === KIND.heartbeat) return this.st.ledger.openCountOf(ev.origin) > 0 ? null : NO_OPEN_ORDERS;
    if (ev.kind !== KIND.accept || typeof ev.data.order !== 'string') return null;
    const rec = this.st.ledger.get(ev.data.order);
    if (!rec) return null;
    if (rec.status !== 'open') return ORDER_CLOSED;
    return typeof ev.data.amount === 'number' && isDust(ev.data.amount, rec.amount - rec.filled) ? DUST_ACCEPT : null;
  }

  syncSource(to: PeerView): Iterable<RawEvent> {
    return this.hooks!.syncSource(to);
  }

  peerOpened(p: PeerView): void {
    this.admission!.linkOpened(p.nodeId, p.direction);
    this.hooks!.peerOpened(p);
  }

  peerClosed(p: PeerView, code: string): void {
    this.admission!.linkClosed(p.nodeId);
    this.hooks!.peerClosed(p, code);
  }

  syncDone(from: PeerView, count: number): void {
    this.hooks!.syncDone(from, count);
  }

  proof(a: GossipEvent, b: GossipEvent, _from: PeerView): string {
    return this.hooks!.proof(a, b);
  }

  proofs(): Iterable<[RawEvent, RawEvent]> {
    return this.hooks!.proofs();
  }

  /**
   * A peer's sync offered an event we handled already. If it is the add of an order of
   * ours we have since pruned, that peer still holds the order open: restate its final
   * state (at most once per retention period, so an id alone cannot make us flood).
   */
  offeredAgain(id: string, _from: PeerView): void {
    if (this.st.ledger.get(id)) return;
    const gone = this.st.ledger.goneMineToRestate(id);
    if (gone) this.fx!.restate(gone);
  }

  // ---- our own events --------------------------------------------------------------

  /**
   * Signs a new event of ours, checks it like anyone's, commits it to the store
   * (synchronously: an owner must never forget a decision the network has seen),
   * applies it, then sends it.
   */
  publish(kind: string, data: Record<string, unknown>): GossipEvent {
    // Every peer charges our events to our budget: a new order, an accept or an answer
    // over it is not sent (peers would refuse it). What keeps our own state right (fills,
    // cancels, refreshes, heartbeats) is always sent, and pays all the same.
    if (!this.admission!.chargeOwn(this.st.me, kind) && DISCRETIONARY.has(kind)) throw new OwnBudgetSpent(kind);
    const ev = this.net.sign(kind, data);
    const refusal = this.check(ev);
    if (typeof refusal === 'string') throw new OwnEventRefused(refusal, kind);
    // An owner's decisions must survive a kill -9 (or a restarted owner could decide
    // again, differently); nothing else of ours needs a synchronous commit.
    if (DURABLE.has(kind)) this.store.putDurable(ev.id, ev.raw);
    else if (kind !== KIND.heartbeat && kind !== KIND.refresh) this.store.put(ev.id, ev.raw);
    this.apply(ev, refusal, { via: 'self', from: null, hops: 0 }, ev.id);
    this.net.broadcast(ev);
    return ev;
  }

  /**
   * Replays stored events through the same checks (a second version of an event comes
   * right after the first, so it is judged again). Proofs (pairs under PROOF_KEY_PREFIX)
   * go to `proof`. Returns how many events were applied and how many no longer pass.
   */
  restore(entries: Iterable<[string, SignedEvent]>, proof: (a: SignedEvent, b: SignedEvent) => void): { applied: number; skipped: number } {
    let applied = 0;
    let skipped = 0;
    let half: SignedEvent | null = null;
    for (const [key, ev] of entries) {
      if (key.startsWith(PROOF_KEY_PREFIX)) {
        if (key.endsWith('~a')) half = ev;
        else if (half) proof(half, ev);
        continue;
      }
      if (this.take(ev, { via: 'store', from: null, hops: null }) === null) applied++;
      else skipped++;
    }
    return { applied, skipped };
  }

  // ---- the path ----------------------------------------------------------------------

  private take(ev: SignedEvent, arrival: Arrival): string | null {
    // Older than the router's memory (a sync's book state, our own replay): a second
    // version shows here, against the stored first one.
    const first = this.firstVersion(ev);
    if (first && Buffer.compare(first.body, ev.raw.body) !== 0) return this.secondVersion(ev, arrival);
    const checked = this.check(ev);
    if (typeof checked === 'string') return checked;
    this.apply(ev, checked, arrival, ev.id);
    return null;
  }

  private secondVersion(ev: SignedEvent, arrival: Arrival): string | null {
    const fx = this.fx!;
    const first = this.firstVersion(ev);
    if (first) fx.proven(first, ev.raw);
    const checked = this.check(ev);
    if (typeof checked === 'string') return checked;
    this.apply(ev, checked, arrival, versionKey(ev.id, ev.raw.body));
    return null;
  }

  /** The version of this event's id we hold, if any: in memory where the kinds keep it, else in the store. */
  private firstVersion(ev: SignedEvent): { body: Uint8Array; sig: Uint8Array } | undefined {
    if (ev.kind === KIND.heartbeat) return this.st.liveness.beatById(ev.origin, ev.id);
    const order = ev.kind === KIND.add ? ev.id : typeof ev.data.order === 'string' ? ev.data.order : null;
    const kept = order === null ? undefined : this.st.ledger.keptVersion(order, ev.id);
    return kept ?? this.store.get(ev.id);
  }

  private check(ev: SignedEvent): { handler: NonNullable<ReturnType<typeof KINDS.get>>; checked: unknown } | string {
    const handler = KINDS.get(ev.kind);
    if (!handler) return INVALID.KIND;
    let data: unknown;
    try {
      data = handler.parse(ev.data, ev.raw.body.length);
    } catch (err) {
      if (err instanceof EventShapeError) return INVALID.SHAPE;
      throw err;
    }
    const checked = handler.check(ev, data, this.st, openSigned);
    if (typeof checked === 'string') return checked;
    return { handler, checked };
  }

  private apply(ev: SignedEvent, c: { handler: NonNullable<ReturnType<typeof KINDS.get>>; checked: unknown }, arrival: Arrival, key: string): void {
    const fx = this.fx!;
    const change = this.st.liveness.heard(ev.origin, ev.ts, this.clock.now());
    if (change) fx.livenessChanged(change.node, change.stale);
    const keep = c.handler.apply(ev, c.checked, this.st, fx, arrival);
    if (keep && (arrival.via === 'gossip' || arrival.via === 'sync' || key !== ev.id)) this.store.put(key, ev.raw);
  }
}
