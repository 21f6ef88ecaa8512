/**
 * Which change one request has set going on the exchange. When shutdown or the action
 * timeout cuts a request short, this is what tells "nothing was done" (a plain
 * SHUTTING_DOWN / TIMEOUT) from "a change was started and may still complete"
 * (OUTCOME_UNKNOWN, with what to check): the actions themselves need not report it.
 */
import type { ExchangeApi, PlaceInput } from '../exchange/api';

/** A call that changes state, as it was made. */
export type ChangeCall =
  | { method: 'place'; input: PlaceInput }
  | { method: 'accept'; orderId: string; amount: number | undefined }
  | { method: 'cancel'; orderId: string }
  | { method: 'connect'; host: string; port: number };

export interface TrackedExchange {
  /** The exchange to hand the action: the same object, seen through the tracker. */
  readonly exchange: ExchangeApi;
  /** The last change this request started, if any. */
  started(): ChangeCall | undefined;
}

const RECORD: Record<ChangeCall['method'], (args: unknown[]) => ChangeCall> = {
  place: (a) => ({ method: 'place', input: a[0] as PlaceInput }),
  accept: (a) => ({ method: 'accept', orderId: a[0] as string, amount: a[1] as number | undefined }),
  cancel: (a) => ({ method: 'cancel', orderId: a[0] as string }),
  connect: (a) => ({ method: 'connect', host: a[0] as string, port: a[1] as number }),
};

/**
 * A Proxy rather than a hand-written wrapper, so that a method added to ExchangeApi
 * later passes straight through instead of needing a copy here. Every method is
 * called on the real exchange (its `this`), never on the proxy.
 */
export function trackExchange(target: ExchangeApi): TrackedExchange {
  let last: ChangeCall | undefined;
  const exchange = new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      const record = typeof prop === 'string' && Object.prototype.hasOwnProperty.call(RECORD, prop) ? RECORD[prop as ChangeCall['method']] : undefined;
      if (record === undefined) return value.bind(obj);
      return (...args: unknown[]) => {
        last = record(args);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
  return { exchange, started: () => last };
}
