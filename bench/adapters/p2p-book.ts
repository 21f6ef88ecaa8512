/** Adapter for this project's engine (src/book), through its public API only. */
import { OrderBook, match, type Side } from '../../src/book';
import { BUY, type EngineAdapter, type RestingSummary, orderHash } from './engine';

/** One lot = 0.01 BTC, so amounts are real satoshi values. */
const LOT_SATS = 1_000_000;
/** Every order gets its own owner, so self-trade prevention never fires (the other engine has none). */
const TAKER = 'market-taker';

export function createP2pBook(): EngineAdapter {
  const book = new OrderBook();
  const sideOf = (side: number): Side => (side === BUY ? 'buy' : 'sell');
  return {
    name: 'p2p-exchange',
    limit(side, id, price, lots, seq) {
      const r = match(book, { side: sideOf(side), price, amount: lots * LOT_SATS, owner: id, id, ts: seq });
      return r.filled / LOT_SATS;
    },
    market(side, lots) {
      return match(book, { side: sideOf(side), price: null, amount: lots * LOT_SATS, owner: TAKER }).filled / LOT_SATS;
    },
    cancel(id) {
      return book.cancel(id) !== undefined;
    },
    summary(): RestingSummary {
      let orders = 0;
      let lots = 0;
      let hash = 0;
      for (const o of book.orders()) {
        orders++;
        lots += o.amount / LOT_SATS;
        hash = (hash + orderHash(o.id, o.price, o.amount / LOT_SATS)) >>> 0;
      }
      return { orders, lots, hash };
    },
  };
}
