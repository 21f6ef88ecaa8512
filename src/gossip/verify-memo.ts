/**
 * Event signature checks remembered process-wide — for the simulator only. There a
 * whole network runs in one process and every node verifies every event: 200 nodes
 * verify the same (key, signature, body) 200 times, and that was a quarter of a
 * simulated run's CPU (measured: docs/BENCHMARKS.md, "Simulator"). An Ed25519 verify is
 * a pure function of those three, so a remembered answer is the answer recomputed: the
 * memo changes how fast a simulated run goes, never what it does.
 *
 * Off unless turned on, and the daemon never turns it on: one process is one node, which
 * verifies each event once anyway (its seen-set drops the copies before verifying).
 */
import { createHash } from 'node:crypto';

/**
 * Entries kept, oldest dropped first: ~350 bytes each, so at most ~70 MB. A 200-node,
 * 10-minute run publishes ~100k events; an event older than the seen window is rarely
 * checked again, so dropping the oldest costs at most a verify.
 */
const MEMO_MAX = 200_000;

let memo: Map<string, boolean> | null = null;

/** How the memo fared (for the simulator's report). */
export const verifyMemoCounts = { hits: 0, misses: 0 };

/** Turns the memo on (a fresh, empty one) or off; returns whether it was on. */
export function rememberVerifications(on: boolean): boolean {
  const was = memo !== null;
  memo = on ? new Map() : null;
  verifyMemoCounts.hits = 0;
  verifyMemoCounts.misses = 0;
  return was;
}

/** `verify()`'s answer for this (origin, body, sig), from the memo when it is on and knows it. */
export function verifyRemembered(origin: string, body: Uint8Array, sig: Uint8Array, verify: () => boolean): boolean {
  if (memo === null) return verify();
  // All three in the key: the same signature over other bytes, or under another key, is another question.
  const key = `${origin}:${Buffer.from(sig).toString('base64')}:${createHash('sha256').update(body).digest('base64')}`;
  const known = memo.get(key);
  if (known !== undefined) {
    verifyMemoCounts.hits++;
    return known;
  }
  verifyMemoCounts.misses++;
  const ok = verify();
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as string);
  memo.set(key, ok);
  return ok;
}
