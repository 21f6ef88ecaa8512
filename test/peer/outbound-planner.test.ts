import { AddrMan } from '../../src/peer/addrman';
import { perHostGroup } from '../../src/peer/netgroup';
import { OutboundPlanner, type OutboundLink } from '../../src/peer/outbound-planner';

const id = (n: number) => n.toString(16).padStart(64, '0');
const none = () => false;

function setup(o: { target?: number; feelerIntervalMs?: number } = {}) {
  let r = 0;
  const book = new AddrMan({ backoff: { baseMs: 1000, maxMs: 60_000 }, random: () => (r = (r * 9301 + 49297) % 233280) / 233280, netgroup: perHostGroup, secret: new Uint8Array(32).fill(3) });
  const planner = new OutboundPlanner({ targetOutbound: o.target ?? 4, feelerIntervalMs: o.feelerIntervalMs ?? 0, netGroup: perHostGroup }, book, 0);
  return { book, planner };
}
const link = (host: string, connectedAt: number | null, port = 1000): OutboundLink => ({ host, port, connectedAt });

describe('OutboundPlanner', () => {
  test('below the target: one round of dials spreads over groups, verified first', () => {
    const { book, planner } = setup({ target: 3 });
    for (let i = 0; i < 3; i++) book.succeeded('10.0.0.1', 2000 + i, id(i), 1); // one group, three verified
    book.succeeded('10.0.0.2', 2000, id(9), 1);
    book.learn('10.0.0.3', 2000, id(10), '10.9.9.9'); // unverified, third group
    const plan = planner.plan(100, [], none);
    expect(plan.dials.map((p) => p.host).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(plan.swap).toBeNull();
  });

  test('at the target with a crowded group: one swap to a verified address of a new group, then the youngest of the crowd makes way', () => {
    const { book, planner } = setup({ target: 3 });
    const links = [link('10.6.6.6', 10, 1), link('10.6.6.6', 30, 2), link('10.0.0.9', 20)];
    for (const l of links) book.succeeded(l.host, l.port, id(l.port + l.connectedAt!), 5);
    book.succeeded('10.0.0.3', 2000, id(77), 5);
    book.learn('10.0.0.4', 2000, id(78), '10.6.6.6'); // unverified: never a swap
    const plan = planner.plan(100, links, none);
    expect(plan.dials).toEqual([]);
    expect(plan.swap?.host).toBe('10.0.0.3');
    // While that swap is in flight, no second one.
    expect(planner.plan(100, [...links, { ...link('10.0.0.3', null, 2000), swap: true }], none).swap).toBeNull();
    const opened = link('10.0.0.3', 100, 2000);
    expect(planner.replace(opened, [...links, opened])).toBe(links[1]);
    expect(planner.counts.replaced).toBe(1);
  });

  test('no swap when every group holds one link, nor for a crowd of operator addresses', () => {
    const { book, planner } = setup({ target: 2 });
    book.succeeded('10.0.0.3', 2000, id(77), 5);
    const spread = [link('10.0.0.1', 1), link('10.0.0.2', 2)];
    for (const l of spread) book.succeeded(l.host, l.port, id(l.connectedAt!), 1);
    expect(planner.plan(100, spread, none).swap).toBeNull();
    const ours = [link('10.0.0.8', 1, 1), link('10.0.0.8', 2, 2)];
    for (const l of ours) book.learn(l.host, l.port, null); // the operator's: source local
    expect(planner.plan(100, ours, none).swap).toBeNull();
    expect(planner.replace(link('10.0.0.3', 3), [...ours, link('10.0.0.3', 3)])).toBeNull();
  });

  test('a crowded target with the diverse address backed off: wakes when its backoff ends', () => {
    const { book, planner } = setup({ target: 2 });
    const links = [link('10.6.6.6', 1, 1), link('10.6.6.6', 2, 2)];
    book.succeeded('10.0.0.3', 2000, id(77), 5);
    book.failed('10.0.0.3', 2000, 50);
    const at = book.get('10.0.0.3', 2000)!.nextAttemptAt;
    const plan = planner.plan(60, links, none);
    expect(plan.swap).toBeNull();
    expect(plan.wakeAt).toBe(at);
    expect(planner.plan(at, links, none).swap?.host).toBe('10.0.0.3');
  });

  test('feelers: with outbound full, one unverified address per interval', () => {
    const { book, planner } = setup({ target: 1, feelerIntervalMs: 1000 });
    book.learn('10.0.0.5', 2000, id(5), '10.9.9.9');
    const full = [link('10.0.0.1', 1)];
    expect(planner.plan(999, full, none)).toMatchObject({ feeler: null, wakeAt: 1000 });
    expect(planner.plan(1000, full, none).feeler?.host).toBe('10.0.0.5');
    expect(planner.plan(1500, full, none)).toMatchObject({ feeler: null, wakeAt: 2000 });
    expect(planner.counts.feelers).toBe(1);
  });
});
