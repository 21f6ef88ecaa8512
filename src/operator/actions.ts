/**
 * The table of pm2 actions and the one wrapper that makes each of them total: whatever
 * the param and whatever the exchange does, `runAction` resolves to a Reply and never
 * throws or rejects.
 */
import type { ExchangeApi } from '../exchange/api';
import { errorReply, type Reply } from './reply';
import { acceptOrder, addOrder, cancelOrder } from './order-actions';
import { connect } from './network-actions';
import { myOrders, orders, peers, status, trades } from './query-actions';

/** A handler may throw (ParamError, UnitError, ExchangeError, bugs): runAction catches. */
export type ActionHandler = (exchange: ExchangeApi, param: unknown) => Promise<Reply>;

const TABLE = {
  addOrder,
  acceptOrder,
  cancelOrder,
  connect,
  orders,
  myOrders,
  trades,
  peers,
  status,
} satisfies Record<string, ActionHandler>;

export type ActionName = keyof typeof TABLE;
export const ACTIONS: Readonly<Record<ActionName, ActionHandler>> = Object.freeze(TABLE);
export const ACTION_NAMES = Object.keys(TABLE) as ActionName[];

export async function runAction(handler: ActionHandler, exchange: ExchangeApi, param: unknown): Promise<Reply> {
  try {
    return await handler(exchange, param);
  } catch (err) {
    return errorReply(err);
  }
}
