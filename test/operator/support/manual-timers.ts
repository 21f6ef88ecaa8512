/** A hand-driven clock implementing the operator's Timers: tests advance time, never sleep. */
import type { Timers } from '../../../src/operator/timers';

interface Entry {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

export class ManualTimers implements Timers {
  private t = 0;
  private nextId = 1;
  private entries = new Map<number, Entry>();

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): unknown => this.add(fn, ms);
  clearTimeout = (h: unknown): void => void this.entries.delete(h as number);
  setInterval = (fn: () => void, ms: number): unknown => this.add(fn, ms, ms);
  clearInterval = (h: unknown): void => void this.entries.delete(h as number);

  /** Timers still scheduled (a closed component must leave none). */
  get pending(): number {
    return this.entries.size;
  }

  /** Move the clock forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.entries.values()].filter((e) => e.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.t = due.at;
      if (due.every !== undefined) due.at += due.every;
      else this.entries.delete(due.id);
      due.fn();
    }
    this.t = end;
  }

  private add(fn: () => void, ms: number, every?: number): number {
    const id = this.nextId++;
    this.entries.set(id, { id, at: this.t + Math.max(0, ms), fn, every: every === undefined ? undefined : Math.max(1, every) });
    return id;
  }
}

/** Let pending promise callbacks run (the exchange fake resolves through microtasks). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
