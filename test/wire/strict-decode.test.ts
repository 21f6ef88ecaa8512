import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { DecodeError } from '../../src/wire/errors';
import { pack, toWire } from '../../src/wire/msgpack';
import { decodeStrict, MAX_DEPTH } from '../../src/wire/strict-decode';
import * as A from '../support/adversary-msgpack';
import { toJson } from './vectors/format';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const hex = (h: string) => Buffer.from(h, 'hex');

/** The DecodeError message for `bytes`, or 'ok'. */
function refusal(bytes: Uint8Array): string {
  try {
    decodeStrict(bytes);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).message;
  }
}

describe('what the profile reads', () => {
  test.each([
    ['nil', 'c0', null],
    ['false', 'c2', false],
    ['true', 'c3', true],
    ['positive fixint 127', '7f', 127],
    ['negative fixint -32', 'e0', -32],
    ['negative fixint -1', 'ff', -1],
    ['uint 8 255', 'ccff', 255],
    ['uint 16 65535', 'cdffff', 65535],
    ['uint 32 2^32-1', 'ceffffffff', 2 ** 32 - 1],
    ['uint 64 2^53-1', 'cf001fffffffffffff', MAX_SAFE],
    ['int 8 -128', 'd080', -128],
    ['int 16 -32768', 'd18000', -32768],
    ['int 32 -2^31', 'd280000000', -(2 ** 31)],
    ['int 64 -(2^53-1)', 'd3ffe0000000000001', -MAX_SAFE],
    ['int 64 5 000 000 000', 'd3000000012a05f200', 5_000_000_000],
    ['fixstr', 'a3616263', 'abc'],
    ['str 8', 'd903616263', 'abc'],
    ['str 16', 'da0003616263', 'abc'],
    ['str 32', 'db00000003616263', 'abc'],
    ['empty str', 'a0', ''],
    ['fixarray', '93010203', [1, 2, 3]],
    ['array 16', 'dc0001c3', [true]],
    ['array 32', 'dd00000000', []],
    ['fixmap', '81a16101', { a: 1 }],
    ['map 16', 'de0001a16101', { a: 1 }],
    ['map 32', 'df00000000', {}],
  ])('%s', (_name, h, value) => {
    expect(decodeStrict(hex(h))).toEqual(value);
  });

  test('bin 8/16/32 read as Buffers viewing the input (no copy)', () => {
    for (const h of ['c403010203', 'c50003010203', 'c600000003010203']) {
      const input = hex(h);
      const v = decodeStrict(input) as Buffer;
      expect(Buffer.isBuffer(v)).toBe(true);
      expect(v.toString('hex')).toBe('010203');
      expect(v.buffer).toBe(input.buffer);
    }
  });

  test('a plain Uint8Array is read like a Buffer', () => {
    expect(decodeStrict(new Uint8Array([0x81, 0xa1, 0x61, 0xc4, 0x01, 0x07]))).toEqual({ a: Buffer.from([7]) });
  });

  test('long ASCII and non-ASCII strings', () => {
    const long = 'x'.repeat(70_000);
    expect(decodeStrict(A.encode(long))).toBe(long);
    const text = 'prix: 5 000 € — 𝄞 '.repeat(10);
    expect(decodeStrict(A.encode(text))).toBe(text);
    expect(decodeStrict(A.encode('é'))).toBe('é');
  });

  test('a key "__proto__" is an own data key, never the prototype', () => {
    const v = decodeStrict(A.encode(A.map([['__proto__', { polluted: true }], ['a', 1]]))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect((v as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toEqual({ polluted: true });
  });

  test('cached keys: 10 000 distinct short keys (more than the cache has slots) read as themselves, twice', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i.toString(36)}`);
    for (let round = 0; round < 2; round++) {
      for (const k of keys) {
        const v = decodeStrict(A.encode({ [k]: 1 })) as Record<string, unknown>;
        if (Object.keys(v)[0] !== k) throw new Error(`${k} read as ${Object.keys(v)[0]}`);
      }
    }
    expect(decodeStrict(A.encode({ ab: 1, ba: 2 }))).toEqual({ ab: 1, ba: 2 });
  });

  test('keys shared with Object.prototype are ordinary keys, read once', () => {
    expect(decodeStrict(A.encode({ toString: 1, constructor: 2 }))).toEqual({ toString: 1, constructor: 2 });
    expect(refusal(A.encode(A.map([['toString', 1], ['toString', 1]])))).toMatch(/duplicate map key "toString"/);
  });
});

describe('what the profile refuses, with the rule and the offset', () => {
  test.each([
    ['empty input', '', /0 bytes/],
    ['float 32', 'ca3f800000', /float/],
    ['float 64', 'cb3ff0000000000000', /float/],
    ['a float nested in a map', '81a161cb3ff0000000000000', /float.*at byte 3/],
    ['0xc1', 'c1', /0xc1/],
    ['fixext 1', 'd40101', /extension type \(0xd4\)/],
    ['ext 8', 'c7010501', /extension type \(0xc7\)/],
    ['timestamp (ext -1)', 'd6ff6553f100', /extension type/],
    ['uint 64 2^53', 'cf0020000000000000', /beyond 2\^53/],
    ['int 64 2^53', 'd30020000000000000', /beyond/],
    ['int 64 -2^53', 'd3ffe0000000000000', /beyond/],
    ['int key', '810101', /map key that is not str \(0x1\)/],
    ['bin key', '81c4016101', /not str \(0xc4\)/],
    ['nil key', '81c001', /not str/],
    ['duplicate key', '82a16101a16102', /duplicate map key "a" \(at byte 4\)/],
    ['invalid UTF-8 (ff)', 'a2 61ff', /UTF-8/],
    ['overlong "/"', 'a2c0af', /UTF-8/],
    ['encoded surrogate', 'a3eda080', /UTF-8/],
    ['cut sequence', 'a2e282', /UTF-8/],
    ['above U+10FFFF', 'a4f4908080', /UTF-8/],
    ['a 5-byte form', 'a5f888808080', /UTF-8/],
    ['invalid UTF-8 in a key', '81a1ff01', /UTF-8/],
    ['trailing byte', 'c0c0', /1 trailing bytes/],
    ['truncated map', '82a16101', /truncated/],
    ['truncated str', 'a5616263', /truncated str: 5 bytes announced, 3 left/],
    ['truncated uint 32', 'ce0102', /truncated uint 32/],
    ['truncated int 64', 'd3010203', /truncated int 64/],
    ['array announcing 2^32 - 1 items in 0 bytes', 'ddffffffff', /truncated array/],
    ['map announcing 65 535 entries in 0 bytes', 'deffff', /truncated map/],
  ])('%s', (_name, h, rule) => {
    expect(refusal(hex(h.replace(/ /g, '')))).toMatch(rule);
  });

  test(`depth: ${MAX_DEPTH} nested arrays or maps are read, ${MAX_DEPTH + 1} are not; scalars add no depth`, () => {
    for (const kind of ['array', 'map'] as const) {
      expect(refusal(A.encode(A.nest(MAX_DEPTH, 'leaf', kind)))).toBe('ok');
      expect(refusal(A.encode(A.nest(MAX_DEPTH + 1, 'leaf', kind)))).toMatch(/nested deeper than 16/);
      expect(refusal(A.encode(A.nest(MAX_DEPTH + 1, [], kind)))).toMatch(/nested deeper than 16/);
    }
    // Empty containers count: 16 arrays, the innermost empty.
    expect(refusal(A.encode(A.nest(MAX_DEPTH - 1, [])))).toBe('ok');
  });

  test('any cut of a valid value is refused as truncated, never read', () => {
    const whole = A.encode({ t: 'hello', id: Buffer.alloc(32, 1), n: A.int(7, 'u64'), list: [1, 'two', { three: 3 }] });
    for (let k = 0; k < whole.length; k++) expect(refusal(whole.subarray(0, k))).toMatch(/truncated|0 bytes/);
  });

  test('random bytes: a value or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeStrict(bytes);
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('agreement with the encoder and with msgpackr', () => {
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -300, max: 70_000 }),
    fc.maxSafeInteger(),
    fc.constantFrom(MAX_SAFE, -MAX_SAFE, 2 ** 32, -(2 ** 31) - 1, 2 ** 31),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ maxDepth: 5 }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), tie('value'), { maxKeys: 4 })),
  }));

  test('what toWire + pack writes, the strict reader reads back as it was, and as msgpackr reads it', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = pack(toWire(v));
        const read = decodeStrict(bytes);
        expect(toJson(read)).toEqual(toJson(v));
        expect(toJson(read)).toEqual(toJson(unpackr.unpack(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  test('every legal width reads as the same value (widest encoding of everything)', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(toJson(decodeStrict(A.encode(v as A.Input, { widest: true })))).toEqual(toJson(v));
      }),
      { numRuns: 300 },
    );
  });
});
