/**
 * What this node has proof of: origins that signed two versions of one thing, orders
 * whose owner contradicted itself, accepts signed twice. Every node that sees the same
 * conflicting events reaches the same verdicts, whatever order it saw them in: a verdict
 * only ever grows, and it follows from the events alone.
 *
 * Consequences (docs/PROTOCOL.md, "Conflicts"): an equivocating origin's orders are no
 * longer matched; a disputed order leaves the book; a trade on a disputed order, or made
 * from a disputed accept, is flagged disputed everywhere.
 */
import type { SignedBytes } from './order-ledger';

export type DisputeReason =
  /** Two different signed bodies under one event id. */
  | 'TWO_VERSIONS'
  /** Two different owner updates of one order with the same sequence number. */
  | 'SEQ_CONFLICT'
  /** Grants of one order that add up to more than its amount. */
  | 'OVERGRANT';

/** Origins remembered as equivocating; the oldest is forgotten past it (throwaway keys cost memory). */
export const MAX_EQUIVOCATORS = 100_000;
/** Disputed orders and accepts remembered. */
export const MAX_DISPUTED = 100_000;
/**
 * Proofs kept and handed to every new peer before its book sync: one per verdict that
 * taught us something. Bounded: past it the oldest are forgotten (their verdicts stay).
 */
export const MAX_PROOFS = 1_000;

export class Disputes {
  private readonly nodes = new Map<string, DisputeReason>();
  private readonly orders = new Map<string, DisputeReason>();
  private readonly accepts = new Set<string>();
  /** The proofs behind our verdicts (pairs of signed events), for new peers. */
  private readonly kept = new Map<string, [SignedBytes, SignedBytes]>();

  /** Marks `node` as equivocating; true the first time. */
  flagNode(node: string, reason: DisputeReason): boolean {
    if (this.nodes.has(node)) return false;
    if (this.nodes.size >= MAX_EQUIVOCATORS) this.nodes.delete(this.nodes.keys().next().value as string);
    this.nodes.set(node, reason);
    return true;
  }

  isEquivocator(node: string): boolean {
    return this.nodes.has(node);
  }

  disputeOrder(orderId: string, reason: DisputeReason): boolean {
    if (this.orders.has(orderId)) return false;
    if (this.orders.size >= MAX_DISPUTED) this.orders.delete(this.orders.keys().next().value as string);
    this.orders.set(orderId, reason);
    return true;
  }

  orderDisputed(orderId: string): DisputeReason | undefined {
    return this.orders.get(orderId);
  }

  disputeAccept(acceptId: string): boolean {
    if (this.accepts.has(acceptId)) return false;
    if (this.accepts.size >= MAX_DISPUTED) this.accepts.delete(this.accepts.values().next().value as string);
    this.accepts.add(acceptId);
    return true;
  }

  /** A trade stands undisputed only if neither its order nor its accept is disputed. */
  tradeDisputed(t: { id: string; orderId: string }): boolean {
    return this.orders.has(t.orderId) || this.accepts.has(t.id);
  }

  /** Keeps the proof behind a new verdict, so a joining peer learns it too. */
  keepProof(key: string, pair: [SignedBytes, SignedBytes]): void {
    if (this.kept.has(key)) return;
    if (this.kept.size >= MAX_PROOFS) this.kept.delete(this.kept.keys().next().value as string);
    this.kept.set(key, pair);
  }

  proofs(): Iterable<[SignedBytes, SignedBytes]> {
    return this.kept.values();
  }

  equivocators(): string[] {
    return [...this.nodes.keys()];
  }

  get counts(): { equivocators: number; orders: number; accepts: number } {
    return { equivocators: this.nodes.size, orders: this.orders.size, accepts: this.accepts.size };
  }
}
