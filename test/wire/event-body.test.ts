import fc from 'fast-check';
import { decodeEvent } from '../../src/gossip/event';
import { signEvent } from '../support/sign';
import { Identity } from '../../src/identity/identity';
import { ErrorCode, ProtocolError } from '../../src/wire/errors';
import { MAX_ENVELOPE_BYTES, MAX_EVENT_TS, parseEventBody } from '../../src/wire/event-body';
import { declare, exact, oneOf, parseDeclared, SchemaError, uint } from '../../src/wire/schema';
import { NotPlainError } from '../../src/wire/msgpack';
import * as A from '../support/adversary-msgpack';
import { toJson } from './vectors/format';

const alice = Identity.generate();
const NOW = 1_700_000_000_000;
const SIG = Buffer.alloc(64, 1);

function refusal(body: Uint8Array): string {
  try {
    decodeEvent(body, SIG, 0);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(ErrorCode.BAD_EVENT);
    return (err as ProtocolError).message;
  }
}

const body = (over: Record<string, A.Input> = {}) =>
  A.encode({ id: '018bcfe5-6800-7000-8000-000000000000', origin: Buffer.alloc(32, 0xaa), ts: NOW, kind: 'test.note', data: { n: 1 }, ...over });

test('a signed event reads back as signed: envelope, data, bytes', () => {
  const data = { side: 'sell', price: 5_000_000, amount: 2_100_000_000_000_000, add: Buffer.alloc(3, 9), list: [-1, 'x'] };
  const ev = signEvent(alice, 'order.add', data, NOW);
  const got = decodeEvent(ev.raw.body, ev.raw.sig, 5);
  expect({ ...got, data: toJson(got.data) }).toEqual({ ...ev, hops: 5, data: toJson(data) });
});

test('the body is copied: the event does not change when the network buffer does', () => {
  const ev = signEvent(alice, 'test.x', { b: Buffer.from('abc') }, NOW);
  const wire = Buffer.from(ev.raw.body);
  const got = decodeEvent(wire, ev.raw.sig, 0);
  wire.fill(0);
  expect(Buffer.from(got.data.b as Uint8Array).toString()).toBe('abc');
  expect(Buffer.compare(got.raw.body, ev.raw.body)).toBe(0);
});

test('refusals say what is wrong, all as BAD_EVENT', () => {
  expect(refusal(body())).toBe('ok');
  expect(refusal(body({ ts: NOW + 1 }))).toBe('event.ts must equal the time in its UUIDv7 id');
  expect(refusal(body({ pad: 'x' }))).toBe('event has an unknown key "pad"');
  expect(refusal(body({ origin: Buffer.alloc(31) }))).toBe('event.origin must be bin of 32 bytes');
  expect(refusal(body({ id: '018bcfe5-6800-4000-8000-000000000000' }))).toBe('event.id must be a lowercase UUIDv7');
  expect(refusal(body({ data: { price: A.float(1) } }))).toMatch(/^event body: not one value of the MessagePack profile: a float/);
  expect(refusal(body({ ts: 2 ** 48 }))).toBe(`event.ts must be an integer 0..${MAX_EVENT_TS}`);
});

test('padding outside data is refused; inside data it is the kind\'s declaration that refuses it', () => {
  const pad = 'x'.repeat(1024 * 1024 - 200);
  expect(refusal(body({ pad }))).toBe('event has an unknown key "pad"');
  // The envelope reads data as any map; an exact kind declaration (schema.test.ts) refuses the key.
  expect(parseEventBody(body({ data: { side: 'buy', pad: 'x' } })).data).toEqual({ side: 'buy', pad: 'x' });
});

describe('what this node signs, every node reads (never send what you would refuse)', () => {
  test('floats, integers beyond 2^53 - 1 and lone surrogates are refused when signing', () => {
    expect(() => signEvent(alice, 'x', { price: 1.5 }, NOW)).toThrow(NotPlainError);
    expect(() => signEvent(alice, 'x', { n: 2 ** 60 }, NOW)).toThrow(NotPlainError);
    expect(() => signEvent(alice, 'x', { s: '\udc00' }, NOW)).toThrow(NotPlainError);
    expect(() => signEvent(alice, 'x', { ['\ud800']: 1 }, NOW)).toThrow(NotPlainError);
  });

  test('data nesting: depth 16 for the whole body (data = 15) is signed and read, one more is refused on both sides', () => {
    const deep = (levels: number): unknown => (levels === 0 ? 0 : [deep(levels - 1)]);
    const ok = signEvent(alice, 'x', { a: deep(14) }, NOW); // body 1 + data 1 + 14 arrays
    expect(refusal(ok.raw.body)).toBe('ok');
    expect(() => signEvent(alice, 'x', { a: deep(15) }, NOW)).toThrow(NotPlainError);
    expect(refusal(body({ data: { a: A.nest(15, 0) } }))).toMatch(/nested deeper than 16/);
  });

  test('any data the signer takes reads back equal', () => {
    const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.string({ unit: 'binary', maxLength: 20 }), fc.uint8Array({ maxLength: 20 }));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ maxDepth: 4 }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 })),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 4 }), (data) => {
        const ev = signEvent(alice, 'test.any', data, NOW);
        expect(toJson(decodeEvent(ev.raw.body, ev.raw.sig, 0).data)).toEqual(toJson(data));
      }),
      { numRuns: 100 },
    );
  });
});

describe('declaring an event kind with the schema language (as the app does for order events)', () => {
  // An order.add-like kind: exact keys, integer bounds, a body byte bound derived from the shape.
  const data = exact({ side: oneOf('buy', 'sell'), price: uint(1, 1_000_000_000), amount: uint(1, 2_100_000_000_000_000) });
  const ADD = declare(data, data.maxBytes + MAX_ENVELOPE_BYTES);
  const check = (ev: { data: Record<string, unknown>; raw: { body: Uint8Array } }) => parseDeclared(ADD, ev.data, ev.raw.body.length, 'order.add');

  test('the widest legal encoding of the largest body is exactly at the bound, and passes', () => {
    const widest = A.encode(
      { id: '018bcfe5-6800-7000-8000-000000000000', origin: Buffer.alloc(32), ts: NOW, kind: 'k'.repeat(64), data: { side: 'sell', price: 1_000_000_000, amount: 2_100_000_000_000_000 } },
      { widest: true },
    );
    expect(widest).toHaveLength(ADD.maxBytes);
    expect(check(decodeEvent(widest, SIG, 0))).toEqual({ side: 'sell', price: 1_000_000_000, amount: 2_100_000_000_000_000 });
  });

  test('the issue\'s padded order.add (a 1 MB key in data) is refused on its size, and on its shape', () => {
    const padded = signEvent(alice, 'order.add', { side: 'buy', price: 5, amount: 1, pad: 'x'.repeat(1_000_000) }, NOW);
    expect(() => check(decodeEvent(padded.raw.body, padded.raw.sig, 0))).toThrow(/order.add must be at most \d+ bytes encoded/);
    const small = signEvent(alice, 'order.add', { side: 'buy', price: 5, amount: 1, pad: 'x' }, NOW);
    expect(() => check(decodeEvent(small.raw.body, small.raw.sig, 0))).toThrow(new SchemaError('order.add', 'has an unknown key "pad"'));
  });
});
