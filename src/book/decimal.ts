/**
 * Exact decimal text <-> scaled integers. Operators type decimals; the book only ever
 * sees integers, so the conversion works on the digits, never on float arithmetic
 * (0.1 + 0.2 !== 0.3, and 0.29 * 100 === 28.999999999999996).
 */

/** The only grammar accepted from text: optional minus, digits, optional fraction. */
const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export interface DecimalParts {
  negative: boolean;
  /** Integer digits, leading zeros allowed. */
  whole: string;
  /** Fraction digits, possibly empty. */
  fraction: string;
}

/** Splits plain decimal text ("12", "-0.25", "50000.5"); anything else is undefined. */
export function splitDecimal(text: string): DecimalParts | undefined {
  const m = PLAIN_DECIMAL.exec(text);
  if (m === null) return undefined;
  return { negative: m[1] === '-', whole: m[2], fraction: m[3] ?? '' };
}

/**
 * A finite JS number as plain decimal text. String(n) is the shortest text that
 * round-trips to n, which is what the operator meant by `0.1`; but it switches to
 * exponent form below 1e-6 and from 1e21, which we expand here digit by digit.
 */
export function numberToDecimalText(n: number): string {
  const text = String(n);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const exponent = Number(text.slice(e + 1));
  let mantissa = text.slice(0, e);
  const negative = mantissa.startsWith('-');
  if (negative) mantissa = mantissa.slice(1);
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // Position of the decimal point counted from the start of `digits`.
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let body: string;
  if (point <= 0) body = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length);
  else body = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + body;
}

/** True when the fraction has significant digits beyond `scale` places. */
export function exceedsScale(fraction: string, scale: number): boolean {
  for (let i = scale; i < fraction.length; i++) if (fraction.charCodeAt(i) !== 48) return true;
  return false;
}

/** whole.fraction * 10^scale as an exact BigInt (fraction must fit in `scale`). */
export function scaledBigInt(parts: DecimalParts, scale: number): bigint {
  const fraction = parts.fraction.slice(0, scale).padEnd(scale, '0');
  return BigInt(parts.whole + fraction);
}

/** Integer units -> fixed-point text with exactly `scale` decimals ("-1.50"). */
export function formatScaled(units: number | bigint, scale: number): string {
  const value = typeof units === 'bigint' ? units : BigInt(units);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return (negative ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
}
