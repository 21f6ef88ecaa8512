/** The book's vocabulary. Money is integers: sats and US cents per BTC. */
export type Side = 'buy' | 'sell';

/** An order resting in the book, as the book reports it (always a fresh copy). */
export interface RestingOrder {
  id: string;
  /** Node id of the owner; two orders of one owner never trade with each other. */
  owner: string;
  side: Side;
  /** Cents per BTC. */
  price: number;
  /** Remaining satoshis. */
  amount: number;
  /** Owner's placement time, ms. Earlier ts has priority at one price, then lower id. */
  ts: number;
}

/** One aggregated price level, as in a depth chart. */
export interface DepthLevel {
  price: number;
  /** Total remaining sats at this price (always a safe integer, see LEVEL_OVERFLOW). */
  amount: number;
  /** Number of orders at this price. */
  orders: number;
}
