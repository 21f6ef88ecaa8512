/**
 * Admission (issue 11): a live event new to us pays the budget of the link it came by,
 * and — when that link is young and inbound and the event is not its own — a pool all
 * such links share, so an attacker coming back under a fresh key after each drop cannot get a fresh
 * link budget each time. Driven on a virtual clock with small budgets.
 */
import { ManualClock } from '../../src/clock/manual-clock';
import { Admission, OVER_LINK_BUDGET, OVER_ORIGIN_BUDGET, OVER_YOUNG_LINKS_BUDGET } from '../../src/exchange/admission';
import { KIND } from '../../src/exchange/events';
import type { BudgetPolicy } from '../../src/limits/budgets';
import { silentLogger } from '../../src/log/logger';
import type { Outcome } from '../../src/net/node';

const rate = (burst: number) => ({ tokens: burst, perMs: 1000, burst });
const policy = (burst: number): BudgetPolicy => ({ order: rate(burst), accept: rate(burst), other: rate(burst) });
const YOUNG_MS = 60_000;

function setup() {
  const clock = new ManualClock({ start: 1_000_000 });
  const reports: Array<[string, Outcome]> = [];
  const adm = new Admission(clock, (peer, outcome) => reports.push([peer, outcome]), silentLogger, {
    origin: policy(1_000),
    link: policy(10),
    young: policy(15),
    youngLinkMs: YOUNG_MS,
  });
  let n = 0;
  /** `count` relayed adds (each from a fresh origin) over `link`: how many got in. */
  const relay = (link: string, count: number): { in: number; codes: string[] } => {
    const codes: string[] = [];
    for (let i = 0; i < count; i++) {
      const code = adm.chargeLink(link, `fresh-origin-${n++}`, KIND.add);
      if (code !== null) codes.push(code);
    }
    return { in: count - codes.length, codes };
  };
  return { clock, adm, reports, relay };
}

test("young links' relays share one pool: fresh links do not bring fresh budgets", () => {
  const { adm, reports, relay } = setup();
  for (const l of ['a', 'b', 'c']) adm.linkOpened(l, 'inbound');
  // Each link may carry 10; all young links together 15.
  expect(relay('a', 10).in).toBe(10);
  const b = relay('b', 10);
  expect(b.in).toBe(5);
  expect(b.codes).toEqual(Array(5).fill(OVER_YOUNG_LINKS_BUDGET));
  expect(relay('c', 10).in).toBe(0);
  // Over the pool is not the link's fault: nothing reported against b or c.
  expect(reports).toEqual([]);
  expect(adm.refused.get(OVER_YOUNG_LINKS_BUDGET)).toBe(15);
});

test('a link we dialled is never pooled', () => {
  const { adm, relay } = setup();
  adm.linkOpened('in', 'inbound');
  adm.linkOpened('out', 'outbound');
  expect(relay('in', 10).in).toBe(10);
  expect(relay('in', 10).in).toBe(0);
  // The pool holds 5 more; the outbound link carries its own 10 without touching it.
  expect(relay('out', 10).in).toBe(10);
  adm.linkOpened('in-2', 'inbound');
  expect(relay('in-2', 10).in).toBe(5);
});

test("a young link's own events are not charged to the pool (its origin budget bounds them)", () => {
  const { adm, relay } = setup();
  adm.linkOpened('a', 'inbound');
  adm.linkOpened('b', 'inbound');
  expect(relay('a', 10).in).toBe(10);
  expect(relay('b', 5).in).toBe(5);
  // The pool is empty now, yet b's own events still pass (within b's link budget).
  for (let i = 0; i < 5; i++) expect(adm.chargeLink('b', 'b', KIND.add)).toBeNull();
  expect(adm.chargeLink('b', 'b', KIND.add)).toBe(OVER_LINK_BUDGET);
});

test('an established link is not held back by the pool; a young one graduates after youngLinkMs', async () => {
  const { clock, adm, relay } = setup();
  adm.linkOpened('old', 'inbound');
  await clock.advance(YOUNG_MS);
  adm.linkOpened('new-1', 'inbound');
  adm.linkOpened('new-2', 'inbound');
  expect(relay('new-1', 10).in).toBe(10);
  expect(relay('new-2', 10).in).toBe(5);
  // The pool is drained by the young links; the established link carries its full budget.
  expect(relay('old', 10).in).toBe(10);
  await clock.advance(YOUNG_MS);
  // Both new links are established now: each carries its own budget, the pool is not asked.
  expect(relay('new-1', 10).in).toBe(10);
  expect(relay('new-2', 10).in).toBe(10);
});

test('a link over its own budget is reported against (over-budget); a closed link leaves nothing behind', async () => {
  const { clock, adm, reports, relay } = setup();
  adm.linkOpened('a', 'inbound');
  await clock.advance(YOUNG_MS);
  expect(relay('a', 12).codes).toEqual([OVER_LINK_BUDGET, OVER_LINK_BUDGET]);
  expect(reports).toEqual([
    ['a', 'over-budget'],
    ['a', 'over-budget'],
  ]);
  adm.linkClosed('a');
  // The same key comes back: a new link, young again, sharing the pool.
  adm.linkOpened('a', 'inbound');
  adm.linkOpened('b', 'inbound');
  expect(relay('b', 10).in).toBe(10);
  expect(relay('a', 10).in).toBe(5);
});

test('an origin with no budget left is turned away before its signature is checked, without spending it', () => {
  const clock = new ManualClock({ start: 1_000_000 });
  const reports: Array<[string, Outcome]> = [];
  const adm = new Admission(clock, (peer, outcome) => reports.push([peer, outcome]), silentLogger, { origin: policy(2), link: policy(100) });
  adm.linkOpened('relay', 'inbound');
  expect(adm.chargeLink('relay', 'o', KIND.add)).toBeNull();
  expect(adm.chargeLink('relay', 'o', KIND.add)).toBeNull();
  // chargeLink only looks: two verified events pay.
  expect(adm.chargeOrigin('o', KIND.add, 'relay')).toBeNull();
  expect(adm.chargeOrigin('o', KIND.add, 'relay')).toBeNull();
  expect(adm.chargeLink('relay', 'o', KIND.add)).toBe(OVER_ORIGIN_BUDGET);
  // A relay that let it through is barely charged; the origin itself flooding us is.
  expect(reports).toEqual([['relay', 'excess']]);
  expect(adm.chargeLink('o', 'o', KIND.add)).toBe(OVER_ORIGIN_BUDGET);
  expect(reports[1]).toEqual(['o', 'over-budget']);
});
