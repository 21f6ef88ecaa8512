/**
 * Money units: amounts are satoshis, prices are US cents per BTC, both safe integers.
 * This file turns what an operator types into units (refusing anything inexact or
 * absurd) and formats units back into decimal text for display.
 *
 * Accepted input: a finite JS number, or a string in plain decimal form
 * `-?digits(.digits)?` — no exponent ("1e5"), no hex, no "+", no surrounding
 * whitespace, no thousands separators, no leading/trailing dot. A number is read via
 * its shortest round-trip text (String(0.1) === "0.1"), so `0.1` means exactly 0.1.
 * Trailing zeros beyond the unit ("1.000000000") add no precision and are accepted.
 */
import { exceedsScale, formatScaled, numberToDecimalText, scaledBigInt, splitDecimal } from './decimal';

export const SATS_PER_BTC = 100_000_000;
export const CENTS_PER_USD = 100;
/** 21 million BTC: no amount can exceed the whole supply. */
export const MAX_AMOUNT_SATS = 21_000_000 * SATS_PER_BTC;
/** 10,000,000.00 USD per BTC. Also keeps every price inside an int32. */
export const MAX_PRICE_CENTS = 1_000_000_000;

const BTC_DECIMALS = 8;
const USD_DECIMALS = 2;

export type UnitErrorCode = 'NOT_A_NUMBER' | 'TOO_PRECISE' | 'NOT_POSITIVE' | 'OUT_OF_RANGE';

/** A refused operator value. `field` names the parameter ("amount", "price"). */
export class UnitError extends Error {
  override name = 'UnitError';
  constructor(
    readonly code: UnitErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface UnitSpec {
  field: string;
  decimals: number;
  max: number;
  unitName: string;
  maxText: string;
}

const AMOUNT: UnitSpec = {
  field: 'amount',
  decimals: BTC_DECIMALS,
  max: MAX_AMOUNT_SATS,
  unitName: '1 sat = 0.00000001 BTC',
  maxText: '21000000 BTC',
};
const PRICE: UnitSpec = {
  field: 'price',
  decimals: USD_DECIMALS,
  max: MAX_PRICE_CENTS,
  unitName: '1 cent = 0.01 USD',
  maxText: '10000000.00 USD',
};

/** BTC as a decimal number or string -> satoshis. Throws UnitError. */
export function parseAmount(input: unknown): number {
  return parseUnits(input, AMOUNT);
}

/** USD per BTC as a decimal number or string -> cents per BTC. Throws UnitError. */
export function parsePrice(input: unknown): number {
  return parseUnits(input, PRICE);
}

function parseUnits(input: unknown, spec: UnitSpec): number {
  const shown = typeof input === 'string' ? JSON.stringify(input) : String(input);
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new UnitError('NOT_A_NUMBER', spec.field, `${spec.field} must be a finite number, got ${shown}`);
    text = numberToDecimalText(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    throw new UnitError('NOT_A_NUMBER', spec.field, `${spec.field} must be a number or a decimal string, got ${describe(input)}`);
  }
  const parts = splitDecimal(text);
  if (parts === undefined) {
    throw new UnitError('NOT_A_NUMBER', spec.field, `${spec.field} must be a plain decimal like "0.25", got ${shown}`);
  }
  if (parts.negative) throw new UnitError('NOT_POSITIVE', spec.field, `${spec.field} must be positive, got ${shown}`);
  if (exceedsScale(parts.fraction, spec.decimals)) {
    throw new UnitError(
      'TOO_PRECISE',
      spec.field,
      `${spec.field} has more than ${spec.decimals} decimals (${spec.unitName}), got ${shown}`,
    );
  }
  const units = scaledBigInt(parts, spec.decimals);
  if (units === 0n) throw new UnitError('NOT_POSITIVE', spec.field, `${spec.field} must be positive, got ${shown}`);
  if (units > BigInt(spec.max)) {
    throw new UnitError('OUT_OF_RANGE', spec.field, `${spec.field} must be at most ${spec.maxText}, got ${shown}`);
  }
  return Number(units);
}

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input;
}

/** Satoshis -> BTC text with all 8 decimals, never trimmed: 25000000 -> "0.25000000". BigInt for level totals. */
export function formatBtc(sats: number | bigint): string {
  return formatScaled(typeof sats === 'bigint' ? sats : checkInteger(sats, 'sats'), BTC_DECIMALS);
}

/** Cents -> USD text with exactly 2 decimals: 5000050 -> "50000.50". BigInt for notionals. */
export function formatUsd(cents: number | bigint): string {
  return formatScaled(typeof cents === 'bigint' ? cents : checkInteger(cents, 'cents'), USD_DECIMALS);
}

function checkInteger(n: number, what: string): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a safe integer, got ${n}`);
  return n;
}

/**
 * Value of `sats` at `priceCents` per BTC, in cents, rounded down. price * amount
 * reaches 2.1e24, far past 2^53, so this is BigInt all the way.
 */
export function notionalCents(priceCents: number, sats: number): bigint {
  return (BigInt(checkInteger(priceCents, 'cents')) * BigInt(checkInteger(sats, 'sats'))) / BigInt(SATS_PER_BTC);
}
