/**
 * The record of one simulated run: one line per thing that happened, stamped with the
 * virtual time since the run began — operations and their results, every trade as each
 * node records it, links made and cut, partitions, kills and restarts, and the checks
 * at the end. Its sha256 is the run's fingerprint: the same seed must give the same
 * hash, byte for byte (that is what makes a failing seed worth printing).
 *
 * Lines are hashed as they come; only the last few are kept unless asked, so a 200-node
 * run does not hold millions of lines in memory.
 */
import { createHash, type Hash } from 'node:crypto';

/** Lines kept for a failure report when the whole trace is not kept. */
const TAIL_LINES = 40;

export type TraceValue = string | number | boolean | null | undefined;

export class Trace {
  private readonly hash: Hash = createHash('sha256');
  private readonly recent: string[] = [];
  private digestHex: string | null = null;
  /** Lines written so far. */
  count = 0;
  /** Every line, when the trace was made with `keep` (the CLI's --trace). */
  readonly lines: string[] | null;

  constructor(
    private readonly elapsed: () => number,
    opts: { keep?: boolean } = {},
  ) {
    this.lines = opts.keep ? [] : null;
  }

  /** Virtual ms since the run began. */
  time(): number {
    return this.elapsed();
  }

  /** Appends `<virtual ms> <what> k=v ...`; undefined fields are left out. */
  add(what: string, fields: Record<string, TraceValue> = {}): void {
    if (this.digestHex !== null) throw new Error('the trace is closed');
    let line = `${this.elapsed()} ${what}`;
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${v}`;
    this.hash.update(line);
    this.hash.update('\n');
    this.count++;
    this.lines?.push(line);
    this.recent.push(line);
    if (this.recent.length > TAIL_LINES) this.recent.shift();
  }

  /** The last lines written (for a failure report). */
  tail(): string[] {
    return [...this.recent];
  }

  /** sha256 of every line (each followed by a newline); the trace takes no lines after this. */
  digest(): string {
    this.digestHex ??= this.hash.digest('hex');
    return this.digestHex;
  }
}
