/**
 * Adapter for nodejs-order-book@10. It computes with JS numbers, so it is fed values
 * that keep it exact: prices as integer cents and sizes as integer lots.
 */
import { OrderBook, Side } from 'nodejs-order-book';
import { BUY, type EngineAdapter, type RestingSummary, orderHash } from './engine';

export function createNodejsOrderBook(): EngineAdapter {
  const book = new OrderBook();
  const sideOf = (side: number): Side => (side === BUY ? Side.BUY : Side.SELL);
  return {
    name: 'nodejs-order-book',
    limit(side, id, price, lots) {
      const r = book.limit({ side: sideOf(side), id, size: lots, price });
      if (r.err !== null) throw new Error(`nodejs-order-book limit ${id}: ${r.err.message}`);
      return lots - r.quantityLeft;
    },
    market(side, lots) {
      const r = book.market({ side: sideOf(side), size: lots });
      if (r.err !== null) throw new Error(`nodejs-order-book market: ${r.err.message}`);
      return lots - r.quantityLeft;
    },
    cancel(id) {
      return book.cancel(id) !== undefined;
    },
    summary(): RestingSummary {
      const snap = book.snapshot();
      let orders = 0;
      let lots = 0;
      let hash = 0;
      for (const level of [...snap.bids, ...snap.asks]) {
        for (const o of level.orders) {
          orders++;
          lots += o.size;
          hash = (hash + orderHash(o.id, o.price, o.size)) >>> 0;
        }
      }
      return { orders, lots, hash };
    },
  };
}
