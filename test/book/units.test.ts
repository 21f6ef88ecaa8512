import { MAX_AMOUNT_SATS, MAX_PRICE_CENTS, UnitError, formatBtc, formatUsd, notionalCents, parseAmount, parsePrice } from '../../src/book/units';

function refusal(fn: () => unknown): { code: string; field: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnitError);
    const e = err as UnitError;
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error('expected a UnitError');
}

describe('parseAmount', () => {
  test.each([
    [1, 100_000_000],
    [0.25, 25_000_000],
    ['0.25', 25_000_000],
    [0.1, 10_000_000],
    [0.3, 30_000_000], // 0.1 + 0.2 trouble never reaches us: the text "0.3" is parsed
    [0.29, 29_000_000], // 0.29 * 1e8 === 28999999.999999996 in floats
    ['1.1', 110_000_000],
    [1e-8, 1], // String(1e-8) === "1e-8": numbers in exponent form are expanded
    [1.5e-7, 15],
    ['0.00000001', 1],
    ['1.000000000', 100_000_000], // trailing zeros add no precision
    ['007', 700_000_000],
    [21_000_000, MAX_AMOUNT_SATS],
    ['21000000.00000000', MAX_AMOUNT_SATS],
  ])('%p BTC -> %p sats', (input, sats) => {
    expect(parseAmount(input)).toBe(sats);
  });

  test.each([
    ['NOT_A_NUMBER', NaN],
    ['NOT_A_NUMBER', Infinity],
    ['NOT_A_NUMBER', -Infinity],
    ['NOT_A_NUMBER', ''],
    ['NOT_A_NUMBER', ' 1'],
    ['NOT_A_NUMBER', '1 '],
    ['NOT_A_NUMBER', '1e5'],
    ['NOT_A_NUMBER', '0x10'],
    ['NOT_A_NUMBER', '+1'],
    ['NOT_A_NUMBER', '.5'],
    ['NOT_A_NUMBER', '5.'],
    ['NOT_A_NUMBER', '1,000'],
    ['NOT_A_NUMBER', 'abc'],
    ['NOT_A_NUMBER', 'Infinity'],
    ['NOT_A_NUMBER', null],
    ['NOT_A_NUMBER', undefined],
    ['NOT_A_NUMBER', true],
    ['NOT_A_NUMBER', {}],
    ['NOT_A_NUMBER', [1]],
    ['NOT_A_NUMBER', 1n],
    ['TOO_PRECISE', '0.000000001'],
    ['TOO_PRECISE', 1e-9],
    ['TOO_PRECISE', 0.123456789],
    ['TOO_PRECISE', '1.000000001'],
    ['NOT_POSITIVE', 0],
    ['NOT_POSITIVE', '0'],
    ['NOT_POSITIVE', '0.00000000'],
    ['NOT_POSITIVE', -0],
    ['NOT_POSITIVE', -1],
    ['NOT_POSITIVE', '-0.5'],
    ['OUT_OF_RANGE', 21_000_000.00000001],
    ['OUT_OF_RANGE', '21000000.00000001'],
    ['OUT_OF_RANGE', 1e21], // String(1e21) === "1e+21"
    ['OUT_OF_RANGE', '99999999999999999999999'],
  ])('refuses with %s: %p', (code, input) => {
    const e = refusal(() => parseAmount(input));
    expect(e.code).toBe(code);
    expect(e.field).toBe('amount');
    expect(e.message).toMatch(/^amount /);
  });
});

describe('parsePrice', () => {
  test.each([
    [50000, 5_000_000],
    [50000.5, 5_000_050],
    ['50000.50', 5_000_050],
    [0.01, 1],
    [19.99, 1999],
    ['10000000', MAX_PRICE_CENTS],
  ])('%p USD -> %p cents', (input, cents) => {
    expect(parsePrice(input)).toBe(cents);
  });

  test.each([
    ['NOT_A_NUMBER', 'fifty'],
    ['NOT_A_NUMBER', NaN],
    ['TOO_PRECISE', 50000.505],
    ['TOO_PRECISE', '0.001'],
    ['NOT_POSITIVE', 0],
    ['NOT_POSITIVE', -50000],
    ['OUT_OF_RANGE', 10_000_000.01],
    ['OUT_OF_RANGE', '1000000000'],
  ])('refuses with %s: %p', (code, input) => {
    const e = refusal(() => parsePrice(input));
    expect(e.code).toBe(code);
    expect(e.field).toBe('price');
  });
});

describe('formatting', () => {
  test.each([
    [25_000_000, '0.25000000'],
    [1, '0.00000001'],
    [0, '0.00000000'],
    [100_000_000, '1.00000000'],
    [MAX_AMOUNT_SATS, '21000000.00000000'],
    [-50_000_000, '-0.50000000'],
  ])('formatBtc(%p) = %p', (sats, text) => {
    expect(formatBtc(sats)).toBe(text);
  });

  test.each([
    [5_000_050, '50000.50'],
    [1, '0.01'],
    [0, '0.00'],
    [-150, '-1.50'],
    [10n ** 20n, '1000000000000000000.00'],
  ])('formatUsd(%p) = %p', (cents, text) => {
    expect(formatUsd(cents)).toBe(text);
  });

  test('formatting refuses non-integers', () => {
    expect(() => formatBtc(0.5)).toThrow(RangeError);
    expect(() => formatUsd(Number.MAX_SAFE_INTEGER + 2)).toThrow(RangeError);
  });

  test('parse and format round-trip', () => {
    for (const text of ['0.00000001', '1.23456789', '20999999.99999999']) expect(formatBtc(parseAmount(text))).toBe(text);
    for (const text of ['0.01', '50000.50', '9999999.99']) expect(formatUsd(parsePrice(text))).toBe(text);
  });
});

describe('notionalCents', () => {
  test('exact beyond 2^53', () => {
    // 21M BTC at 10M USD: 2.1e17 USD = 2.1e19 cents, far past Number.MAX_SAFE_INTEGER.
    expect(notionalCents(MAX_PRICE_CENTS, MAX_AMOUNT_SATS)).toBe(21_000_000n * 1_000_000_000n);
    expect(notionalCents(5_000_050, 25_000_000)).toBe(1_250_012n); // 0.25 BTC at 50000.50 = 12500.125 USD, rounded down
  });
});
