export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 1000, maxMs: 60_000 };

/**
 * Delay before dial attempt number `failures + 1`: exponential in the failures so far,
 * capped, with "equal jitter" (half fixed, half random) so the nodes that lost the same
 * peer at once do not all redial it in the same millisecond.
 */
export function backoffDelay(failures: number, cfg: BackoffConfig, random: () => number): number {
  const exp = Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.min(failures, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}
