/**
 * What a fuzz run reports: outcome counts, what the node did, findings (each with the
 * case that caused it), heap figures; and how a finding is replayed.
 */
import type { Mode } from './target';

export interface Finding {
  case: number;
  kind: 'INTERNAL_ERROR' | 'BUG_LOG' | 'WEDGED' | 'CRASH' | 'UNHEALTHY' | 'HARNESS';
  detail: string;
  what: string[];
}

export interface CampaignReport {
  seed: string;
  mode: Mode;
  casesRun: number;
  elapsedMs: number;
  /** Outcome of each case: OPEN (the link survived), the code of the node's error frame, or CLOSED (no error frame). */
  outcomes: Record<string, number>;
  /** Links opened with a completed handshake. */
  handshakes: number;
  /** What the node did with the events it was sent (sums of its NetStats over the batches). */
  node: { eventsIn: number; eventsInvalid: number; eventsStale: number; eventsFuture: number; eventsDuplicate: number; syncEventsIn: number; published: number; internalErrors: number };
  /** Most orders a node's book held at the end of a batch: what one attacker left behind. */
  bookMax: number;
  /** Warn lines of the nodes, by name (peer.misbehaved, peer.invalid, order.refused...). */
  warnings: Record<string, number>;
  healthChecks: number;
  /** Stopped by stop() (e.g. Ctrl-C) before running every case asked for. */
  stoppedEarly: boolean;
  /** The first findings in full (at most MAX_FINDINGS). */
  findings: Finding[];
  /** Every finding, grouped by what it says (ids and numbers blanked): how often, and the first case. */
  findingKinds: Record<string, { count: number; firstCase: number }>;
  crashes: number;
  heap: { beforeMb: number; afterMb: number; peakMb: number };
}

/** A finding's text without what changes from case to case (node ids, addresses, numbers). */
export function signature(detail: string): string {
  return detail
    .replace(/"(peer|addr)":"[^"]*",?/g, '')
    .replace(/[0-9a-f]{16,}/g, '…')
    .replace(/\d+/g, 'N')
    .slice(0, 200);
}

/** Reproduces a case: the command, and what it was. */
export function replayCommand(f: Finding, r: Pick<CampaignReport, 'seed' | 'mode'>): string {
  const mode = r.mode === 'tcp' ? ' --tcp' : '';
  return f.case < 0 ? `npm run fuzz -- --seed ${r.seed}${mode}` : `npm run fuzz -- --seed ${r.seed} --only ${f.case}${mode}  (whole prefix: --cases ${f.case + 1})`;
}
