import { anyMap, array, bin, bool, declare, exact, oneOf, optional, parseDeclared, refine, SchemaError, str, uint } from '../../src/wire/schema';
import { decodeStrict } from '../../src/wire/strict-decode';
import * as A from '../support/adversary-msgpack';

/** The SchemaError message for `value`, or 'ok'. */
function refusal(parse: () => unknown): string {
  try {
    parse();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    return (err as SchemaError).message;
  }
}

test('uint: integers min..max only', () => {
  const s = uint(1, 10);
  expect(s.parse(1, 'x')).toBe(1);
  expect(s.parse(10, 'x')).toBe(10);
  for (const v of [0, 11, 1.5, '1', null, true, 2n]) expect(refusal(() => s.parse(v, 'o.x'))).toBe('o.x must be an integer 1..10');
  expect(() => uint(-1, 3)).toThrow(RangeError);
  expect(() => uint(5, 4)).toThrow(RangeError);
});

test('bool, bin of a length or a range', () => {
  expect(bool().parse(false, 'b')).toBe(false);
  expect(refusal(() => bool().parse(0, 'b'))).toBe('b must be true or false');
  expect(refusal(() => bin(2).parse(Buffer.alloc(3), 'k'))).toBe('k must be bin of 2 bytes');
  expect(refusal(() => bin(2).parse('ab', 'k'))).toBe('k must be bin of 2 bytes');
  expect(bin({ max: 3 }).parse(new Uint8Array(0), 'k')).toHaveLength(0);
  expect(refusal(() => bin({ min: 1, max: 3 }).parse(Buffer.alloc(4), 'k'))).toBe('k must be bin of 1..3 bytes');
});

test('str counts UTF-8 bytes, not characters, and may require a pattern', () => {
  const s = str({ minBytes: 2, maxBytes: 4 });
  expect(s.parse('éé', 's')).toBe('éé'); // 4 bytes
  expect(refusal(() => s.parse('ééx', 's'))).toBe('s must be a str of 2..4 bytes'); // 3 characters, 5 bytes
  expect(refusal(() => s.parse('€', 's'))).toBe('ok'); // 1 character, 3 bytes
  expect(refusal(() => s.parse('x', 's'))).toBe('s must be a str of 2..4 bytes');
  expect(refusal(() => s.parse(Buffer.from('ab'), 's'))).toBe('s must be a str of 2..4 bytes');
  const hexId = str({ maxBytes: 8, pattern: /^[0-9a-f]+$/, want: 'lowercase hex' });
  expect(hexId.parse('00ff', 'id')).toBe('00ff');
  expect(refusal(() => hexId.parse('00FF', 'id'))).toBe('id must be lowercase hex');
});

test('oneOf: exactly one of the listed strings', () => {
  const side = oneOf('buy', 'sell');
  expect(side.parse('sell', 'side')).toBe('sell');
  expect(refusal(() => side.parse('BUY', 'data.side'))).toBe('data.side must be one of "buy", "sell"');
  expect(refusal(() => oneOf('ping').parse('pong', 't'))).toBe('t must be "ping"');
});

test('array: bounded count, each item checked, the index in the path', () => {
  const s = array(uint(0, 9), { max: 3 });
  expect(s.parse([1, 2, 3], 'a')).toEqual([1, 2, 3]);
  expect(refusal(() => s.parse([1, 2, 3, 4], 'a'))).toBe('a must be an array of at most 3 items');
  expect(refusal(() => s.parse([1, 20], 'a'))).toBe('a[1] must be an integer 0..9');
  expect(refusal(() => array(bool()).parse({}, 'a'))).toBe('a must be an array');
});

describe('exact maps', () => {
  const point = exact({ x: uint(0, 100), y: uint(0, 100), label: optional(str({ maxBytes: 8 })) });

  test('returns the declared keys, optional ones only when present', () => {
    expect(point.parse({ y: 2, x: 1 }, 'p')).toEqual({ x: 1, y: 2 });
    expect(point.parse({ x: 1, y: 2, label: 'a' }, 'p')).toEqual({ x: 1, y: 2, label: 'a' });
    expect(Object.keys(point.parse({ y: 2, x: 1 }, 'p'))).toEqual(['x', 'y']);
  });

  test('refuses an unknown key, a missing key, nil for an optional key, a non-map', () => {
    expect(refusal(() => point.parse({ x: 1, y: 2, z: 3 }, 'p'))).toBe('p has an unknown key "z"');
    expect(refusal(() => point.parse({ x: 1 }, 'p'))).toBe('p is missing the key "y"');
    expect(refusal(() => point.parse({ x: 1, y: 2, label: null }, 'p'))).toBe('p.label must be a str of 0..8 bytes');
    expect(refusal(() => point.parse([1, 2], 'p'))).toBe('p must be a map with exactly the keys x, y, label');
    expect(refusal(() => point.parse(null, 'p'))).toBe('p must be a map with exactly the keys x, y, label');
  });

  test('an unknown key named "__proto__" (as the decoder reads it) is refused like any other', () => {
    const v = decodeStrict(A.encode(A.map([['x', 1], ['y', 2], ['__proto__', 3]])));
    expect(refusal(() => point.parse(v, 'p'))).toBe('p has an unknown key "__proto__"');
  });

  test('a long unknown key is cut in the message', () => {
    expect(refusal(() => point.parse({ x: 1, y: 2, ['k'.repeat(1000)]: 1 }, 'p'))).toBe(`p has an unknown key "${'k'.repeat(32)}"`);
  });

  test('optional with a fallback reads an absent key as the fallback', () => {
    const s = exact({ code: str({ maxBytes: 4 }), message: optional(str({ maxBytes: 4 }), '') });
    expect(s.parse({ code: 'X' }, 'e')).toEqual({ code: 'X', message: '' });
    expect(s.parse({ code: 'X', message: 'hi' }, 'e')).toEqual({ code: 'X', message: 'hi' });
  });

  test('paths name nested keys and indexes', () => {
    const s = exact({ peers: array(exact({ port: uint(0, 65535) })) });
    expect(refusal(() => s.parse({ peers: [{ port: 1 }, { port: 1 }, { port: 1 }, { port: 70_000 }] }, 'peers'))).toBe('peers.peers[3].port must be an integer 0..65535');
  });
});

test('anyMap accepts any map and nothing else; refine adds a condition', () => {
  expect(anyMap().parse({ a: [1] }, 'd')).toEqual({ a: [1] });
  expect(refusal(() => anyMap().parse([], 'd'))).toBe('d must be a map');
  const even = refine(uint(0, 10), (v) => v % 2 === 0, 'an even integer 0..10');
  expect(even.parse(4, 'n')).toBe(4);
  expect(refusal(() => even.parse(3, 'n'))).toBe('n must be an even integer 0..10');
  expect(refusal(() => even.parse(12, 'n'))).toBe('n must be an integer 0..10');
});

describe('byte bounds', () => {
  test('derived from the shape at the widest legal encoding of every part', () => {
    expect(uint(0, 1).maxBytes).toBe(9); // int 64 / uint 64
    expect(bool().maxBytes).toBe(1);
    expect(bin(64).maxBytes).toBe(5 + 64); // bin 32 header
    expect(str({ maxBytes: 10 }).maxBytes).toBe(5 + 10);
    expect(oneOf('buy', 'sell').maxBytes).toBe(5 + 4);
    expect(array(uint(0, 1), { max: 3 }).maxBytes).toBe(5 + 3 * 9);
    expect(array(uint(0, 1)).maxBytes).toBe(Infinity);
    expect(anyMap().maxBytes).toBe(Infinity);
    // map 32 header, then per key: str 32 header + key bytes + value
    expect(exact({ side: oneOf('buy', 'sell'), price: uint(1, 10) }).maxBytes).toBe(5 + (5 + 4 + 9) + (5 + 5 + 9));
  });

  test('the derived bound is exactly the widest encoding of the largest value', () => {
    const s = exact({ side: oneOf('buy', 'sell'), price: uint(1, 10), note: optional(str({ maxBytes: 6 })), ok: bool() });
    expect(A.encode({ side: 'sell', price: 10, note: 'abcdef', ok: true }, { widest: true })).toHaveLength(s.maxBytes);
  });

  test('a declaration refuses an encoding above its bound before looking at the shape', () => {
    const d = declare(exact({ n: uint(0, 1) }), 12);
    expect(parseDeclared(d, { n: 1 }, 12, 'x')).toEqual({ n: 1 });
    expect(refusal(() => parseDeclared(d, { n: 1 }, 13, 'x'))).toBe('x must be at most 12 bytes encoded, got 13');
    expect(declare(exact({ n: uint(0, 1) })).maxBytes).toBe(5 + 5 + 1 + 9);
    expect(() => declare(bool(), 0)).toThrow(RangeError);
  });
});

test('types: the parsed value is typed from the declaration', () => {
  const add = exact({ side: oneOf('buy', 'sell'), price: uint(1, 10), reason: optional(str({ maxBytes: 4 })) });
  const v = add.parse({ side: 'buy', price: 1 }, 'data');
  // Compile-time checks (npm run typecheck): a literal union, a number, an optional string.
  const side: 'buy' | 'sell' = v.side;
  const price: number = v.price;
  const reason: string | undefined = v.reason;
  expect([side, price, reason]).toEqual(['buy', 1, undefined]);
});
