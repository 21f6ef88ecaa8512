/**
 * Making a faulted network quiet before the checks: join the pieces the faults left,
 * settle, and let time pass while an owner's cooldown keeps a book crossed. Each step
 * writes what it did into the trace; what it cannot do is a violation.
 */
import { COOLDOWN_MAX_MS } from '../exchange/cooldown';
import { uncrossed, type Violation } from './invariants';
import type { Trace } from './trace';
import { SIM_PORT, type SimNode, type World } from './world';

/** Dialling rounds to join what the faults left in separate pieces. */
const JOIN_ROUNDS = 5;
/** Virtual time let pass at a time while a cooldown keeps a book crossed. */
const COOLDOWN_STEP_MS = 10_000;

/** Running nodes in connected pieces (by their current links), each sorted by index. */
export function components(world: World): SimNode[][] {
  const byId = new Map(world.running.map((n) => [n.nodeId, n]));
  const seen = new Set<SimNode>();
  const parts: SimNode[][] = [];
  for (const start of byId.values()) {
    if (seen.has(start)) continue;
    const part: SimNode[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const n = stack.pop() as SimNode;
      part.push(n);
      for (const p of n.ex.peers()) {
        const m = byId.get(p.nodeId);
        if (m && !seen.has(m)) {
          seen.add(m);
          stack.push(m);
        }
      }
    }
    parts.push(part.sort((a, b) => a.index - b.index));
  }
  return parts;
}

/** Dials across the pieces until every running node can reach every other; null when it could. */
export async function joinPieces(world: World, trace: Trace): Promise<Violation | null> {
  for (let round = 0; round < JOIN_ROUNDS; round++) {
    const parts = components(world);
    if (parts.length <= 1) return null;
    for (const part of parts.slice(1)) {
      const [a, b] = [part[0], parts[0][0]];
      try {
        await world.until(a.ex.connect(b.host, SIM_PORT));
        trace.add('join', { n: a.index, to: b.index });
      } catch (err) {
        trace.add('join-failed', { n: a.index, to: b.index, code: (err as { code?: string }).code });
      }
    }
  }
  const left = components(world).length;
  return left > 1 ? { code: 'NOT_CONNECTED', message: `the network stayed in ${left} pieces after ${JOIN_ROUNDS} rounds of dialling` } : null;
}

/** world.settle(), or the violation saying it did not. */
export async function settleOr(world: World, phase: string, trace: Trace): Promise<Violation | null> {
  try {
    await world.settle();
    return null;
  } catch (err) {
    trace.add('not-settled', { phase });
    return { code: 'NOT_SETTLED', message: `${phase}: ${(err as Error).message}` };
  }
}

/**
 * A node leaves an owner that let its accepts run out out of matching for a while
 * (src/exchange/cooldown.ts: 30 s, doubling with repeats up to an hour), so a crossing
 * with that owner's order waits for the pause to end and the node's periodic re-check.
 * Quiet is not final then: let virtual time pass, step by step, until no book is crossed
 * or the last pause running on any node (status.limits.coolingUntil) and one re-check
 * after it (`recheckMs`) have passed — at least one re-check, at most the longest pause
 * plus one. A crossing still there after that is for the checks to report.
 *
 * Waiting for the pauses that run, not for the longest one possible, matters at scale:
 * every simulated second of a 200-node network costs wall seconds (heartbeats), and a
 * crossing the checks will report anyway is not worth an hour of virtual time.
 * Returns the virtual ms waited.
 */
export async function outwaitCooldowns(world: World, trace: Trace, recheckMs: number, onSettle: (v: Violation | null) => void): Promise<number> {
  const start = world.clock.now();
  const cap = start + COOLDOWN_MAX_MS + recheckMs;
  let until = start + recheckMs;
  while (uncrossed(world.running).length > 0) {
    const ends = coolingEnds(world);
    if (ends !== null) until = Math.max(until, ends + recheckMs);
    until = Math.min(until, cap);
    const now = world.clock.now();
    if (now >= until) break;
    await world.run(Math.min(COOLDOWN_STEP_MS, until - now));
    onSettle(await settleOr(world, 'cooling', trace));
  }
  const waited = world.clock.now() - start;
  if (waited > 0) trace.add('outwaited', { ms: waited });
  return waited;
}

/** When the last owner pause running on any node ends, in the world's time; null if none runs. */
export function coolingEnds(world: World): number | null {
  let end: number | null = null;
  for (const n of world.running) {
    const until = n.ex.status().limits?.coolingUntil ?? null;
    if (until === null) continue;
    // Each node's clock has its own offset: bring its time into the world's.
    const at = until - (n.clock.now() - world.clock.now());
    if (end === null || at > end) end = at;
  }
  return end;
}
