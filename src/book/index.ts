/**
 * The order book and matching engine: pure, integer money, price-time priority.
 * After `npm run build`: `require('p2p-exchange/dist/book')` (see docs/ENGINE.md).
 */
export type { Side, RestingOrder, DepthLevel } from './types';
export { OrderBook } from './order-book';
export { BookError, type BookErrorCode } from './errors';
export { plan, match, type Incoming, type Leg, type PlanOptions, type PlanResult, type MatchResult } from './matching';
export {
  parseAmount,
  parsePrice,
  formatBtc,
  formatUsd,
  notionalCents,
  UnitError,
  type UnitErrorCode,
  MAX_AMOUNT_SATS,
  MAX_PRICE_CENTS,
  SATS_PER_BTC,
  CENTS_PER_USD,
} from './units';
