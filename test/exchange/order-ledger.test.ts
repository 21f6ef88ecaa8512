/**
 * The ledger's convergence rule on its own (no sockets): owner updates applied in any
 * order, duplicates included, give one state; an owner that equivocates (two updates
 * with one seq) is settled the same way everywhere; the history passed on in sync stays
 * bounded whatever peers send.
 */
import { signEvent } from '../support/sign';
import { Identity } from '../../src/identity/identity';
import { OrderLedger, MAX_OPEN_ACCEPTS } from '../../src/exchange/order-ledger';
import type { ConfirmData, OwnerUpdateData } from '../../src/exchange/events';

const BTC = 100_000_000;
const owner = Identity.generate();
const taker = Identity.generate();
const now = () => 1_000_000;

const ADD = { side: 'sell' as const, price: 5_000_000, amount: 1 * BTC };

/** A ledger holding one 1 BTC sell of `owner` (the same signed add each time). */
function ledgerWith(add: ReturnType<typeof signEvent>) {
  const ledger = new OrderLedger(owner.nodeId, now, 60_000);
  ledger.add(add, ADD);
  return { ledger, rec: ledger.get(add.id)! };
}

/** A signed owner update of `add`'s order. */
function update(add: ReturnType<typeof signEvent>, seq: number, filled: number, status: OwnerUpdateData['status']) {
  const data = { order: add.id, seq, filled, status, add: add.raw.body, addSig: add.raw.sig } as OwnerUpdateData;
  return { ev: signEvent(owner, 'order.fill', data as unknown as Record<string, unknown>, 2_000 + seq), data };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

test('updates in every arrival order (with duplicates and an equivocating seq) converge to one state', () => {
  const add = signEvent(owner, 'order.add', ADD, 1_000);
  // Built once, so every arrival order carries the very same signed bytes.
  const updates = [update(add, 1, 0.2 * BTC, 'open'), update(add, 2, 0.5 * BTC, 'open'), update(add, 3, 0.5 * BTC, 'cancelled'), update(add, 3, 0.7 * BTC, 'open')];
  const outcomes = new Set<string>();
  for (const order of permutations([0, 1, 2, 3, 1])) {
    const { ledger, rec } = ledgerWith(add);
    for (const i of order) ledger.update(rec, updates[i].ev, updates[i].data, 0);
    outcomes.add(JSON.stringify([rec.seq, rec.filled, rec.status, ledger.digest(), ledger.book.size]));
  }
  expect(outcomes.size).toBe(1);
  const [seq, filled, status] = JSON.parse([...outcomes][0]) as [number, number, string];
  expect(seq).toBe(3);
  // Of the two seq-3 updates, the one whose body sorts first wins on every node.
  const [x, y] = [updates[2], updates[3]];
  const winner = Buffer.compare(x.ev.raw.body, y.ev.raw.body) < 0 ? x : y;
  expect([filled, status]).toEqual([winner.data.filled, winner.data.status]);
});

test('the sync history stays bounded: superseded refusals and answered accepts are dropped', () => {
  const add = signEvent(owner, 'order.add', ADD, 1_000);
  const { ledger, rec } = ledgerWith(add);
  const accepts = Array.from({ length: MAX_OPEN_ACCEPTS + 36 }, (_, i) =>
    signEvent(taker, 'order.accept', { order: add.id, amount: 1_000, deadline: 10_000 + i }, 3_000 + i),
  );
  for (const a of accepts) ledger.noteAccept(rec, a);
  expect(rec.openAccepts.size).toBe(MAX_OPEN_ACCEPTS);
  // Three refusals, then a grant: only the grant (also the deciding update) travels.
  for (let seq = 1; seq <= 3; seq++) {
    const u = update(add, seq, 0, 'open');
    ledger.update(rec, u.ev, u.data, 0);
  }
  const grant = update(add, 4, 1_000, 'open');
  ledger.update(rec, grant.ev, grant.data, 1_000);
  expect([...ledger.signedHistory()].length).toBe(1 /* add */ + 1 /* grant */ + MAX_OPEN_ACCEPTS);
});

test('two grants for one accept (an equivocating owner) make the same trade in either order', () => {
  const add = signEvent(owner, 'order.add', ADD, 1_000);
  const accept = signEvent(taker, 'order.accept', { order: add.id, amount: 0.5 * BTC, deadline: 9_000 }, 3_000);
  const grant = (amount: number) => {
    const data = {
      order: add.id, seq: 1, filled: amount, status: 'open', add: add.raw.body, addSig: add.raw.sig,
      accept: accept.id, taker: taker.nodeId, amount, acceptBody: accept.raw.body, acceptSig: accept.raw.sig,
    } as unknown as ConfirmData;
    return { ev: signEvent(owner, 'order.confirm', data as unknown as Record<string, unknown>, 4_000), data };
  };
  const [g1, g2] = [grant(0.1 * BTC), grant(0.5 * BTC)];
  const outcome = (first: typeof g1, second: typeof g1) => {
    const { ledger, rec } = ledgerWith(add);
    for (const g of [first, second]) {
      ledger.update(rec, g.ev, g.data, g.data.amount);
      ledger.recordTrade(rec, g.ev, g.data);
    }
    return JSON.stringify([ledger.trades(), ledger.digest()]);
  };
  expect(outcome(g1, g2)).toBe(outcome(g2, g1));
  expect(JSON.parse(outcome(g1, g2))[0]).toHaveLength(1);
});
