/**
 * judge(): a pair of events proves a contradiction from the two events alone, so every
 * node handed the same pair reaches the same verdict.
 */
import { openSigned } from '../../src/gossip/event';
import { Identity } from '../../src/identity/identity';
import { KIND } from '../../src/exchange/events';
import { judge, NO_PROOF } from '../../src/exchange/proof';
import { signEvent } from '../support/sign';
import { signEvent as signWith } from '../../src/gossip/event';

const owner = Identity.generate();
const other = Identity.generate();
const taker = Identity.generate();
const T = Date.UTC(2026, 0, 1);
const add = signEvent(owner, KIND.add, { side: 'sell', price: 5_000_000, amount: 1_000 }, T);

function confirm(seq: number, filled: number, amount: number, who = owner) {
  const acc = signEvent(taker, KIND.accept, { order: add.id, amount: 1_000, deadline: T + 5_000 }, T + 1);
  return signEvent(who, KIND.confirm, {
    order: add.id, seq, filled, status: filled === 1_000 ? 'filled' : 'open', add: add.raw.body, addSig: add.raw.sig,
    accept: acc.id, taker: taker.nodeId, amount, acceptBody: acc.raw.body, acceptSig: acc.raw.sig,
  }, T + 2);
}

test('two bodies under one id prove TWO_VERSIONS (and dispute the order they are about)', () => {
  const r = Buffer.alloc(16, 3);
  const a = signWith(owner, KIND.add, { side: 'sell', price: 5_000_000, amount: 1 }, T, r);
  const b = signWith(owner, KIND.add, { side: 'buy', price: 4_000_000, amount: 1 }, T, r);
  expect(judge(a, b, openSigned)).toEqual({ origin: owner.nodeId, reason: 'TWO_VERSIONS', orders: [a.id], accept: null });
  expect(judge(b, a, openSigned)).toEqual(judge(a, b, openSigned));
});

test('owner updates: the same seq twice is SEQ_CONFLICT; a later filled total that does not add up is OVERGRANT', () => {
  expect(judge(confirm(1, 1_000, 1_000), confirm(1, 1_000, 1_000), openSigned)).toMatchObject({ reason: 'SEQ_CONFLICT', orders: [add.id] });
  expect(judge(confirm(1, 600, 600), confirm(2, 1_000, 600), openSigned)).toMatchObject({ reason: 'OVERGRANT' });
  expect(judge(confirm(2, 1_000, 600), confirm(1, 600, 600), openSigned)).toMatchObject({ reason: 'OVERGRANT' });
});

test('honest pairs prove nothing: consecutive grants that add up, a refusal after a grant', () => {
  expect(judge(confirm(1, 400, 400), confirm(2, 1_000, 600), openSigned)).toBe(NO_PROOF.UNRELATED);
  expect(judge(confirm(1, 400, 400), confirm(2, 400, 0), openSigned)).toBe(NO_PROOF.UNRELATED);
  const same = confirm(1, 400, 400);
  expect(judge(same, same, openSigned)).toBe(NO_PROOF.SAME);
});

test('a pair of two origins, or with an invalid event, proves nothing', () => {
  const r = Buffer.alloc(16, 4);
  const mine = signWith(owner, KIND.add, { side: 'sell', price: 1, amount: 1 }, T, r);
  const theirs = signWith(other, KIND.add, { side: 'sell', price: 2, amount: 1 }, T, r);
  expect(judge(mine, theirs, openSigned)).toBe(NO_PROOF.ORIGINS);
  const padded = signWith(owner, KIND.add, { side: 'sell', price: 2, amount: 1, pad: 'x' }, T, r);
  expect(judge(mine, padded, openSigned)).toBe(NO_PROOF.INVALID);
});
