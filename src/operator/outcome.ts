/**
 * Replies for outcomes the node cannot know yet. An operator reading `ok:false` takes
 * it that nothing happened, and may place the order again; so where something may
 * still happen the reply says OUTCOME_UNKNOWN instead, with a `pending` object naming
 * what may still happen and where it will show:
 * - an accept whose owner did not answer before the taker stopped waiting (the
 *   exchange reports it as AcceptResult.pending; a late grant may still land);
 * - a change (addOrder, acceptOrder, cancelOrder, connect) cut short by the action
 *   timeout or by shutdown after it was handed to the exchange.
 */
import type { AcceptResult, PendingTake } from '../exchange/api';
import { formatBtc, formatUsd } from '../book/units';
import { OperatorCode, type FailReply, type PendingReply } from './reply';
import type { ChangeCall } from './tracked-exchange';
import { pendingTakeReply } from './views';

/** Why an outcome is unknown (`error.cause`). */
export const UnknownCause = {
  /** The owner of the order taken has not answered (yet). */
  OWNER_NOT_ANSWERING: 'OWNER_NOT_ANSWERING',
  /** The action timeout answered for the exchange. */
  TIMEOUT: 'TIMEOUT',
  /** The node is stopping. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
} as const;

export type CutCause = typeof UnknownCause.TIMEOUT | typeof UnknownCause.SHUTTING_DOWN;

export function unknownAcceptReply(r: AcceptResult & { pending: PendingTake }): FailReply {
  const pending = pendingTakeReply(r.pending);
  return unknown(
    UnknownCause.OWNER_NOT_ANSWERING,
    `acceptOrder: the owner of ${r.orderId} did not answer in time; a grant it decided in time may still arrive until ${pending.until}`,
    pending,
  );
}

/** A change handed to the exchange and cut short before its answer came. */
export function cutChangeReply(action: string, call: ChangeCall, cause: CutCause, timeoutMs: number): FailReply {
  const pending = pendingFor(call);
  const why =
    cause === UnknownCause.TIMEOUT
      ? `no answer within ${timeoutMs} ms`
      : 'the node is shutting down before the change finished';
  return unknown(cause, `${action}: ${why}; it may still have been carried out: ${pending.check}`, pending);
}

function pendingFor(call: ChangeCall): PendingReply {
  switch (call.method) {
    case 'place': {
      const { side, price, amount } = call.input;
      return {
        side,
        price: formatUsd(price),
        priceCents: price,
        amount: formatBtc(amount),
        amountSats: amount,
        check: `myOrders lists the order (${side} at ${formatUsd(price)}) if it was placed; trades lists the fills it took`,
      };
    }
    case 'accept':
      return {
        orderId: call.orderId,
        ...(call.amount === undefined ? {} : { requested: formatBtc(call.amount), requestedSats: call.amount }),
        check: `trades lists a trade on order ${call.orderId} if its owner granted it; orders shows what remains of it`,
      };
    case 'cancel':
      return { orderId: call.orderId, check: `myOrders shows order ${call.orderId} as cancelled if the cancel went through` };
    case 'connect': {
      // Written as peerReply writes `address`, so the check names what `peers` will show.
      const address = `${call.host}:${call.port}`;
      return { address, check: `peers lists ${address} if the link came up` };
    }
  }
}

function unknown(cause: string, message: string, pending: PendingReply): FailReply {
  return { ok: false, error: { code: OperatorCode.OUTCOME_UNKNOWN, message, cause }, pending };
}
