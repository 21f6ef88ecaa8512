/**
 * A token bucket: `tokens` tokens every `perMs` ms, holding at most `burst`. Pure: time
 * comes in as `now` (integer ms, never going backwards; fractions are dropped).
 *
 * Kept as one number, the time at which the bucket will be full again (the "theoretical
 * arrival time" of GCRA, the cell-rate algorithm ATM switches police with), measured in
 * units of 1/tokens ms. In those units one token takes exactly `perMs` and now is
 * now * tokens, so every refill is integer arithmetic: no rounding ever leaks or
 * invents a token, however long or often the bucket is used. A full bucket needs no
 * state at all, so a table of buckets may forget full ones without changing anything.
 */
export interface RateSpec {
  /** Tokens added every `perMs` ms (positive integer, at most MAX_TOKENS_PER_PERIOD). */
  tokens: number;
  /** The period, in ms (positive integer). */
  perMs: number;
  /** Most tokens held: the burst allowed after a quiet spell (positive integer). */
  burst: number;
}

/**
 * Largest `tokens` a RateSpec may give. now * tokens must stay an exact integer in a
 * double: with epoch milliseconds (1.8e12 today) and 1000 that is 1.8e15, below 2^53
 * until the year 2255. Faster rates are written with a shorter period instead.
 */
export const MAX_TOKENS_PER_PERIOD = 1000;

/** A rate that cannot be enforced: code BAD_RATE, the offending field named. */
export class RateSpecError extends Error {
  override name = 'RateSpecError';
  readonly code = 'BAD_RATE';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Throws RateSpecError unless `spec` is a rate a TokenBucket can enforce exactly. */
export function verifyRate(spec: RateSpec, name = 'rate'): RateSpec {
  const check = (field: keyof RateSpec, max: number) => {
    const v = spec[field];
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new RateSpecError(`${name}.${field}`, `${name}.${field} must be an integer in 1..${max}, got ${String(v)}`);
    }
  };
  check('tokens', MAX_TOKENS_PER_PERIOD);
  check('perMs', 2 ** 31);
  check('burst', 2 ** 31);
  return spec;
}

export class TokenBucket {
  /** When the bucket is full again, in 1/tokens ms; at or before now = full. */
  private fullAt = 0;

  constructor(readonly spec: RateSpec) {
    verifyRate(spec);
  }

  /** Takes `cost` tokens if the bucket holds them; false (and nothing taken) otherwise. */
  take(cost: number, now: number): boolean {
    const { tokens, perMs, burst } = this.spec;
    if (!Number.isInteger(cost) || cost < 0) throw new RangeError(`cost must be a non-negative integer, got ${cost}`);
    const t = Math.floor(now) * tokens;
    const next = Math.max(this.fullAt, t) + cost * perMs;
    if (next - t > burst * perMs) return false;
    this.fullAt = next;
    return true;
  }

  /** Whole tokens held at `now`. */
  available(now: number): number {
    const { tokens, perMs, burst } = this.spec;
    const debt = Math.max(0, this.fullAt - Math.floor(now) * tokens);
    return Math.floor((burst * perMs - debt) / perMs);
  }

  /** Whether the bucket is full at `now` (then forgetting it loses nothing). */
  full(now: number): boolean {
    return this.fullAt <= Math.floor(now) * this.spec.tokens;
  }

  /** The earliest time (ms) at which `cost` tokens are held: now if they are already, Infinity if cost > burst. */
  readyAt(cost: number, now: number): number {
    const { tokens, perMs, burst } = this.spec;
    if (cost > burst) return Infinity;
    const t = Math.floor(now) * tokens;
    const need = Math.max(this.fullAt, t) + cost * perMs - burst * perMs;
    return need <= t ? Math.floor(now) : Math.ceil(need / tokens);
  }
}
