import { createLogger, jsonLine, textLine } from '../../src/operator/log-format';

const NODE = 'ab12cd34'.repeat(8);
const ORDER = '0190a1b2-c3d4-7e5f-8a9b-000000000001';
const T = Date.parse('2026-11-21T13:00:00.000Z');

function capture(format: 'text' | 'json') {
  const lines: string[] = [];
  const log = createLogger({ name: 'node1', format, now: () => T, write: (l) => void lines.push(l) });
  return { log, lines };
}

describe('text format', () => {
  it('writes one readable line per event, node ids cut to 8 hex', () => {
    const { log, lines } = capture('text');
    log.info('peer.connected', { peer: NODE, addr: '127.0.0.1:3002', dir: 'outbound' });
    expect(lines).toEqual(['2026-11-21T13:00:00.000Z node1 peer.connected peer=ab12cd34 addr=127.0.0.1:3002 dir=outbound\n']);
  });

  it('shows sats and cents fields as BTC and USD, keeps UUIDs whole', () => {
    const line = textLine('t', 'node1', 'info', 'trade', { order: ORDER, amount: 50_000_000, price: 5_000_000, hops: 2 });
    expect(line).toBe(`t node1 trade order=${ORDER} amount=0.50000000 price=50000.00 hops=2`);
  });

  it('shows a late grant in BTC throughout: amount and booked', () => {
    const line = textLine('t', 'node2', 'warn', 'accept.late', { accept: ORDER, order: ORDER, amount: 40_000_000, for: null, booked: 25_000_000 });
    expect(line).toBe(`t node2 WARN accept.late accept=${ORDER} order=${ORDER} amount=0.40000000 for=null booked=0.25000000`);
  });

  it('marks warnings, quotes values with spaces, skips undefined, renders errors and lists', () => {
    const line = textLine('t', 'node1', 'warn', 'peer.refused', {
      reason: 'clock is off',
      code: 'CLOCK_SKEW',
      missing: undefined,
      error: new Error('read ECONNRESET'),
      peers: [NODE, NODE],
      none: [],
      ok: false,
      n: null,
      big: 10n,
      nested: { a: 1 },
    });
    expect(line).toBe(
      't node1 WARN peer.refused reason="clock is off" code=CLOCK_SKEW error="read ECONNRESET" peers=ab12cd34,ab12cd34 none=[] ok=false n=null big=10 nested={"a":1}',
    );
  });

  it('keeps one line per event even when a value holds a newline', () => {
    const line = textLine('t', 'n', 'info', 'x', { msg: 'a\nb' });
    expect(line).toBe('t n x msg="a\\nb"');
  });
});

describe('json format', () => {
  it('writes one JSON object per line with fields as reported', () => {
    const { log, lines } = capture('json');
    log.warn('sync.done', { from: NODE, orders: 12, amount: 5 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({ time: '2026-11-21T13:00:00.000Z', level: 'warn', node: 'node1', event: 'sync.done', from: NODE, orders: 12, amount: 5 });
  });

  it('survives bigint, errors, cycles and fields named like its own keys', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const obj = JSON.parse(jsonLine('t', 'n', 'info', 'e', { big: 1n, err: new Error('x'), cyclic, event: 'mine' }));
    expect(obj).toEqual({ time: 't', level: 'info', node: 'n', event: 'e', big: '1', err: { name: 'Error', message: 'x' }, cyclic: { self: '[Circular]' }, field_event: 'mine' });
  });
});

it('never throws, even when stdout does', () => {
  const log = createLogger({ name: 'n', format: 'text', write: () => { throw new Error('EPIPE'); } });
  expect(() => log.info('x', { a: 1 })).not.toThrow();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const lines: string[] = [];
  const ok = createLogger({ name: 'n', format: 'text', now: () => T, write: (l) => void lines.push(l) });
  ok.info('y', { cyclic });
  expect(lines).toEqual(['2026-11-21T13:00:00.000Z n y cyclic={"self":"[Circular]"}\n']);
});
