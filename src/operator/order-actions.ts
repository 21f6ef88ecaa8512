/**
 * addOrder, acceptOrder, cancelOrder: the actions that change the book. Each parses
 * its raw pm2 param, calls the exchange once, and shapes the answer; errors are
 * thrown here and turned into replies by `runAction`.
 */
import type { ExchangeApi, PlaceInput, Side } from '../exchange/api';
import { ok, OperatorCode, ParamError, type OkReply, type Reply } from './reply';
import { unknownAcceptReply } from './outcome';
import { describe, parseObject, requireAmount, requireId, requirePrice, type ParamObject } from './params';
import { acceptReply, orderReply, placeReply } from './views';

const ADD_KEYS = ['side', 'buy', 'sell', 'price', 'amount'] as const;

/**
 * `{"side":"buy","price":50000,"amount":1}` or seed 001's form
 * `{"buy":"BTC","sell":"USD","price":50000,"amount":1}`.
 */
export async function addOrder(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  const input = parsePlaceInput(param);
  const result = await exchange.place(input);
  return ok(placeReply(result));
}

export function parsePlaceInput(param: unknown): PlaceInput {
  const obj = parseObject(param, 'addOrder', ADD_KEYS);
  const side = parseSide(obj);
  // Side first, then price, then amount: the first problem in reading order is reported.
  const price = requirePrice(obj);
  const amount = requireAmount(obj);
  return { side, price, amount };
}

/**
 * The side, from `side` or from the seed form's currency pair: buying BTC (paying
 * USD) is a bid, selling BTC (buying USD) is an ask. When several are given they must
 * agree: an order whose direction is ambiguous is refused, never guessed.
 */
function parseSide(obj: ParamObject): Side {
  const sides = new Set<Side>();
  if (obj.side !== undefined) {
    const s = typeof obj.side === 'string' ? obj.side.trim().toLowerCase() : undefined;
    if (s !== 'buy' && s !== 'sell') {
      throw new ParamError(OperatorCode.BAD_PARAM, `"side" must be "buy" or "sell", got ${describe(obj.side)}`, 'side');
    }
    sides.add(s);
  }
  for (const key of ['buy', 'sell'] as const) {
    if (obj[key] === undefined) continue;
    const cur = typeof obj[key] === 'string' ? (obj[key] as string).trim().toUpperCase() : undefined;
    if (cur !== 'BTC' && cur !== 'USD') {
      throw new ParamError(OperatorCode.BAD_PARAM, `"${key}" must be "BTC" or "USD", got ${describe(obj[key])}`, key);
    }
    // buy BTC or sell USD → bid; buy USD or sell BTC → ask.
    sides.add((key === 'buy') === (cur === 'BTC') ? 'buy' : 'sell');
  }
  if (sides.size === 0) {
    throw new ParamError(OperatorCode.BAD_PARAM, 'missing "side" ("buy" or "sell"), or "buy"/"sell" currencies', 'side');
  }
  if (sides.size > 1) {
    throw new ParamError(OperatorCode.BAD_PARAM, 'conflicting side: "side", "buy" and "sell" disagree', 'side');
  }
  return [...sides][0]!;
}

/**
 * `{"id":"...","amount":0.5}`; amount omitted = take all that remains. An owner that
 * has not answered is neither a fill nor a refusal: OUTCOME_UNKNOWN, with the hold.
 */
export async function acceptOrder(exchange: ExchangeApi, param: unknown): Promise<Reply> {
  const obj = parseObject(param, 'acceptOrder', ['id', 'amount']);
  const id = requireId(obj);
  const amount = obj.amount === undefined ? undefined : requireAmount(obj);
  const result = await exchange.accept(id, amount);
  const { pending } = result;
  if (pending !== undefined) return unknownAcceptReply({ ...result, pending });
  return ok(acceptReply(result));
}

/** `{"id":"..."}`: only the owner can cancel; the exchange says so with its own code. */
export async function cancelOrder(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  const obj = parseObject(param, 'cancelOrder', ['id']);
  const id = requireId(obj);
  const order = await exchange.cancel(id);
  return ok({ order: orderReply(order) });
}
