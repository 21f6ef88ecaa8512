/**
 * The live node under attack, in one of two settings:
 * - `memory`: a real Exchange on the in-memory transport in virtual time (src/sim/world):
 *   no sockets, no waiting, and a run is the same twice for one seed;
 * - `tcp`: a real Exchange listening on 127.0.0.1 on the real clock, attacked over
 *   loopback sockets, as a daemon is.
 * Either way the node holds a few orders of its own, so accepts from the attacker make
 * it decide and publish confirms, and `health()` proves it still serves an honest peer.
 * This file is what both share; memory-target.ts and tcp-target.ts are the two settings.
 */
import type { Duplex } from 'node:stream';
import type { Exchange } from '../src/exchange/exchange';
import type { Logger, LogFields } from '../src/log/logger';
import { DEFAULTS } from '../src/net/options';
import { isLoopback } from '../src/peer/address';
import type { Transport } from '../src/transport/transport';

export type Mode = 'memory' | 'tcp';

export const BTC = 100_000_000;
/** The node's own resting orders: big, so a batch of takers rarely fills them all. */
const OWN_ORDERS = [
  { side: 'sell' as const, price: 5_000_000, amount: 21 * BTC },
  { side: 'sell' as const, price: 5_100_000, amount: 21 * BTC },
  { side: 'buy' as const, price: 4_000_000, amount: 21 * BTC },
  { side: 'buy' as const, price: 3_900_000, amount: 21 * BTC },
];
/** How long the attacker waits for the node to answer one case before calling the link wedged. */
export const WEDGED_AFTER_MS = 30_000;
/** The same on the real clock: loopback answers in well under a millisecond; 10 s is a stuck node. */
export const WEDGED_AFTER_REAL_MS = 10_000;

/**
 * Log lines that mean the node hit a bug of its own while handling a peer's bytes
 * (connection.ts, exchange.ts, net/node.ts, book-sync.ts): each is a finding.
 */
export const BUG_LINES = new Set(['peer.internal-error', 'exchange.internal-error', 'net.listener-error', 'sync.source-failed']);

/** Keeps the bug lines (bounded) and counts every warn line by name. */
export class FindingLog implements Logger {
  readonly bugs: Array<{ event: string; fields: LogFields }> = [];
  readonly warnCounts = new Map<string, number>();
  info(): void {}
  warn(event: string, fields: LogFields = {}): void {
    this.warnCounts.set(event, (this.warnCounts.get(event) ?? 0) + 1);
    if (BUG_LINES.has(event) && this.bugs.length < 1000) this.bugs.push({ event, fields });
  }
}

export class WedgedError extends Error {
  readonly code = 'WEDGED';
}

/** A transport that refuses to dial anything but loopback: a fuzzed `peers` list must never send this machine's traffic elsewhere. */
export function loopbackOnly(inner: Transport): Transport {
  return {
    listen: (h, p, on) => inner.listen(h, p, on),
    connect: (host, port, opts) => (isLoopback(host) ? inner.connect(host, port, opts) : Promise.reject(new Error(`fuzz harness: refusing to dial ${host}`))),
  };
}

export interface HealthResult {
  ok: boolean;
  detail: string;
}

export interface Target {
  readonly mode: Mode;
  readonly exchange: Exchange;
  readonly log: FindingLog;
  readonly maxFrameBytes: number;
  /** How far back and ahead of now the node takes an event's ts. */
  readonly window: { pastMs: number; aheadMs: number };
  now(): number;
  /** A fresh raw stream to the node (no handshake). */
  connect(): Promise<Duplex>;
  /** Waits for `p`; virtual time moves as needed. Rejects with WedgedError when it does not settle in time. */
  drive<T>(p: Promise<T>): Promise<T>;
  /** A fresh honest peer links up and a place/accept round trip with it completes. */
  health(): Promise<HealthResult>;
  close(): Promise<void>;
}

/** How far back an event's ts may be (the seen window: the node's default). */
export const SEEN_WINDOW_MS = DEFAULTS.seenWindowMs;

export async function placeOwnOrders(ex: Exchange, drive: <T>(p: Promise<T>) => Promise<T>): Promise<void> {
  for (const o of OWN_ORDERS) await drive(ex.place(o));
}

/** The round trip: the honest node rests a small sell, the target takes part of it. */
export async function roundTrip(target: Target, honest: Exchange, link: () => Promise<void>, known: (id: string) => Promise<void>): Promise<HealthResult> {
  const amount = BTC / 100;
  // Placed before linking: an empty book, so it rests whole, whatever the attacker left in the target's.
  const placed = await target.drive(honest.place({ side: 'sell', price: 4_900_000, amount }));
  if (placed.order === null) return { ok: false, detail: `honest order did not rest: ${JSON.stringify(placed)}` };
  await link();
  await known(placed.order.id);
  const took = await target.drive(target.exchange.accept(placed.order.id, amount / 2));
  if (took.filled !== amount / 2 || took.trade === null) return { ok: false, detail: `accept round trip failed: ${JSON.stringify(took)}` };
  return { ok: true, detail: `trade ${took.trade.id}` };
}
