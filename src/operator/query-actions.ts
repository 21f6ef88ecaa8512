/** orders, myOrders, trades, peers, status: read-only views; none takes a param. */
import type { ExchangeApi } from '../exchange/api';
import { ok, type OkReply } from './reply';
import { expectNoParam } from './params';
import { bookReply, orderReply, peerReply, statusReply, tradeReply } from './views';

export async function orders(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  expectNoParam(param, 'orders');
  return ok(bookReply(exchange.book()));
}

export async function myOrders(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  expectNoParam(param, 'myOrders');
  return ok({ orders: exchange.myOrders().map(orderReply) });
}

export async function trades(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  expectNoParam(param, 'trades');
  return ok({ trades: exchange.trades().map(tradeReply) });
}

export async function peers(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  expectNoParam(param, 'peers');
  return ok({ peers: exchange.peers().map(peerReply) });
}

export async function status(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  expectNoParam(param, 'status');
  return ok(statusReply(exchange.status()));
}
