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
  /**
   * Total remaining sats at this price. Exact while it is a safe integer (up to 2^53 - 1
   * sats: over four orders of the whole 21M BTC supply); past that the nearest double,
   * and `amountExact` holds the exact total.
   */
  amount: number;
  /** Only on a level whose total passes Number.MAX_SAFE_INTEGER: the exact total in sats. */
  amountExact?: bigint;
  /** Number of orders at this price. */
  orders: number;
}
