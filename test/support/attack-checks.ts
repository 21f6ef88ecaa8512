/**
 * What every attack test asserts after the attack, and the hand-made bodies they send.
 *
 * - `honestTrade`: an honest place-and-take between two nodes still completes, and every
 *   node records it and ends with the same book.
 * - `handBody`: an event body written byte by byte (any width, floats, duplicate keys,
 *   extra keys), validly signed — so only its content can make a node refuse it.
 */
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Exchange } from '../../src/exchange/exchange';
import type { Identity } from '../../src/identity/identity';
import { encode, map, type Input } from './adversary-msgpack';

export const BTC = 100_000_000;

/**
 * `maker` rests a small sell, `taker` takes it; both wait on `settle` (the network's
 * quiescence), never on time. Every node in `nodes` ends with the trade and one book —
 * but for the orders of `ignoreOwners`, where a known gap leaves the books apart.
 */
export async function honestTrade(
  nodes: Exchange[],
  maker: Exchange,
  taker: Exchange,
  settle: (n: Exchange[]) => Promise<void>,
  price = 6_000_000,
  opts: { ignoreOwners?: ReadonlySet<string> } = {},
): Promise<void> {
  const sell = await maker.place({ side: 'sell', price, amount: 0.1 * BTC });
  expect(sell.order).not.toBeNull();
  await settle(nodes);
  const took = await taker.accept(sell.order!.id);
  expect(took.filled).toBe(0.1 * BTC);
  await settle(nodes);
  for (const n of nodes) {
    expect(n.trades().map((t) => t.orderId)).toContain(sell.order!.id);
    if (opts.ignoreOwners) expect(bookWithout(n, opts.ignoreOwners)).toEqual(bookWithout(maker, opts.ignoreOwners));
    else expect(n.digest()).toBe(maker.digest());
  }
}

/** A node's book (ids and what remains) without the orders of `owners`. */
function bookWithout(n: Exchange, owners: ReadonlySet<string>): string[] {
  const { bids, asks } = n.book();
  return [...bids, ...asks].filter((o) => !owners.has(o.owner)).map((o) => `${o.id}:${o.remaining}`).sort();
}

export interface HandBody {
  id: string;
  body: Buffer;
  sig: Buffer;
}

/**
 * An event body written with the adversary encoder. `replace` gives envelope entries
 * another encoding (a float ts...); `append` adds entries after them (an extra key, or a
 * key a second time). Signed by `who`, so the signature is never what a node refuses.
 */
export function handBody(
  who: Identity,
  ts: number,
  kind: string,
  data: Input,
  opts: { replace?: Record<string, Input>; append?: Array<[string, Input]> } = {},
): HandBody {
  const id = uuidv7({ msecs: ts, random: randomBytes(16) });
  const base: Record<string, Input> = { id, origin: who.publicKey, ts, kind, data, ...opts.replace };
  const body = encode(map([...Object.entries(base), ...(opts.append ?? [])]));
  return { id, body, sig: Buffer.from(who.sign(body)) };
}
