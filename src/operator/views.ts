/**
 * Exchange views → reply objects. Every amount and price appears twice: a decimal
 * string an operator reads (BTC, USD) and the exact integer unit beside it (sats,
 * cents) that a script can compute with without float rounding.
 */
import type {
  AcceptResult,
  BookView,
  DepthLevel,
  OrderView,
  PeerView,
  PendingTake,
  PlaceResult,
  Refusal,
  StatusView,
  TradeView,
} from '../exchange/api';
import { formatBtc, formatUsd } from '../book/units';

export function orderReply(o: OrderView) {
  return {
    id: o.id,
    owner: o.owner,
    side: o.side,
    price: formatUsd(o.price),
    priceCents: o.price,
    amount: formatBtc(o.amount),
    amountSats: o.amount,
    filled: formatBtc(o.filled),
    filledSats: o.filled,
    remaining: formatBtc(o.remaining),
    remainingSats: o.remaining,
    status: o.status,
    stale: o.stale,
    time: isoTime(o.ts),
    seq: o.seq,
    ...(o.disputed === undefined ? {} : { disputed: o.disputed }),
    ...(o.equivocator ? { equivocator: true } : {}),
    ...(o.dormant ? { dormant: true } : {}),
  };
}

export function tradeReply(t: TradeView) {
  return {
    id: t.id,
    orderId: t.orderId,
    maker: t.maker,
    taker: t.taker,
    side: t.side,
    amount: formatBtc(t.amount),
    amountSats: t.amount,
    price: formatUsd(t.price),
    priceCents: t.price,
    time: isoTime(t.ts),
    ...(t.disputed ? { disputed: true } : {}),
  };
}

function refusalReply(r: Refusal) {
  return { orderId: r.orderId, requested: formatBtc(r.requested), requestedSats: r.requested, reason: r.reason };
}

/**
 * A take whose owner has not answered: what may still happen (a late grant, until
 * `until`) and where it will show. The trade's id will be the accept's id.
 */
export function pendingTakeReply(p: PendingTake) {
  const until = isoTime(p.until) ?? String(p.until);
  const fills = p.forOrder === null ? '' : ` and order ${p.forOrder} fills by as much if it still can (myOrders)`;
  return {
    acceptId: p.acceptId,
    orderId: p.orderId,
    requested: formatBtc(p.requested),
    requestedSats: p.requested,
    until,
    forOrder: p.forOrder,
    check:
      `if the owner's grant arrives by ${until}, trade ${p.acceptId} appears in trades${fills}, ` +
      `the node logs accept.late and status counts it in late.landed; after ${until} nothing more will happen (late.lapsed)`,
  };
}

export function placeReply(r: PlaceResult) {
  return {
    requested: formatBtc(r.requested),
    requestedSats: r.requested,
    filled: formatBtc(r.filled),
    filledSats: r.filled,
    rested: formatBtc(r.rested),
    restedSats: r.rested,
    order: r.order === null ? null : orderReply(r.order),
    fills: r.fills.map(tradeReply),
    refused: r.refused.map(refusalReply),
    // Legs still waiting on their owner: not refused, not filled (yet).
    pending: (r.pending ?? []).map(pendingTakeReply),
    ...(r.remainderCancelled === undefined
      ? {}
      : {
          remainderCancelled: {
            amount: formatBtc(r.remainderCancelled.amount),
            amountSats: r.remainderCancelled.amount,
            reason: r.remainderCancelled.reason,
          },
        }),
  };
}

export function acceptReply(r: AcceptResult) {
  return {
    orderId: r.orderId,
    requested: formatBtc(r.requested),
    requestedSats: r.requested,
    filled: formatBtc(r.filled),
    filledSats: r.filled,
    trade: r.trade === null ? null : tradeReply(r.trade),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  };
}

function depthReply(d: DepthLevel) {
  // A level can hold more than 2^53 sats (many huge orders): then the exact total is a
  // bigint, shown as a decimal string beside the BTC figure.
  const exact = d.amountExact;
  return {
    price: formatUsd(d.price),
    priceCents: d.price,
    amount: formatBtc(exact ?? d.amount),
    amountSats: exact === undefined ? d.amount : exact.toString(),
    orders: d.orders,
  };
}

export function bookReply(b: BookView) {
  return {
    bids: b.bids.map(orderReply),
    asks: b.asks.map(orderReply),
    depth: { bids: b.depth.bids.map(depthReply), asks: b.depth.asks.map(depthReply) },
  };
}

export function peerReply(p: PeerView) {
  return {
    nodeId: p.nodeId,
    address: `${p.host}:${p.port}`,
    host: p.host,
    port: p.port,
    direction: p.direction,
    connectedAt: isoTime(p.connectedAt),
  };
}

export function statusReply(s: StatusView) {
  return {
    nodeId: s.nodeId,
    address: `${s.host}:${s.port}`,
    uptimeMs: s.uptimeMs,
    uptime: formatDuration(s.uptimeMs),
    peers: s.peers,
    orders: s.orders,
    trades: s.trades,
    eventsIn: s.eventsIn,
    eventsOut: s.eventsOut,
    // Absent only from an exchange that does not count late grants: no made-up zeros.
    ...(s.late === undefined ? {} : { late: { ...s.late } }),
    ...(s.disputes === undefined ? {} : { disputes: { ...s.disputes } }),
    ...(s.limits === undefined ? {} : { limits: { ...s.limits, coolingUntil: isoOrNull(s.limits.coolingUntil), penalised: s.limits.penalised.map((p) => ({ ...p, until: isoOrNull(p.until) })) } }),
  };
}

/** An owner's clock can be anything; a bad timestamp must not make the reply throw. */
/** isoTime, with null (no time) kept as null. */
function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}

export function isoTime(ms: number): string | null {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : null;
}

/** 93784000 → "1d 2h 3m 4s": readable uptime beside the exact milliseconds. */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= size || parts.length > 0) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  parts.push(`${s}s`);
  return parts.join(' ');
}
