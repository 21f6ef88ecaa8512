/**
 * The main process's handle on one attacker process (adversary-attacker-child.ts):
 * fork, prepare, go, stop, and the report it sends back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Counts } from './adversary-attack';
import type { FromChild, ToChild } from './adversary-attacks';

/** How long an attacker may take to prepare or to report before we give up on it. */
const ANSWER_TIMEOUT_MS = 60_000;

export class Attacker {
  private readonly child: ChildProcess;
  private readonly inbox: FromChild[] = [];
  private waiters: Array<() => void> = [];
  private readonly exited: Promise<unknown>;

  constructor(readonly attack: string) {
    this.child = fork(join(__dirname, 'adversary-attacker-child.js'), [attack], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = once(this.child, 'exit');
    this.child.on('message', (m: FromChild) => {
      this.inbox.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Builds what the attack needs (not timed) and waits until it is ready. */
  async prepare(port: number, victimId: string, params: Record<string, string> = {}): Promise<void> {
    this.send({ cmd: 'prepare', port, victimId, params });
    await this.next((m) => 'ready' in m);
  }

  go(): void {
    this.send({ cmd: 'go' });
  }

  /** A message the attack posts while it runs (e.g. the silent maker's order id). */
  async posted(key: string): Promise<unknown> {
    const m = await this.next((x) => key in x);
    return (m as Record<string, unknown>)[key];
  }

  /** Stops the attack and returns what it did; the process is gone when this resolves. */
  async stop(): Promise<Counts> {
    this.send({ cmd: 'stop' });
    const m = await this.next((x) => 'report' in x);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
    if (this.child.exitCode === null) this.child.kill();
    return (m as { report: Counts }).report;
  }

  /** Ends the process if it is still there (after a failure). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  private send(m: ToChild): void {
    if (this.child.connected) this.child.send(m);
  }

  private async next(match: (m: FromChild) => boolean): Promise<FromChild> {
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const failed = this.inbox.find((m) => 'failed' in m);
      if (failed) throw new Error(`attacker ${this.attack} failed: ${(failed as { failed: string }).failed}`);
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`attacker ${this.attack} exited`);
      if (Date.now() > deadline) throw new Error(`attacker ${this.attack} did not answer`);
      await new Promise<void>((wake) => {
        const t = setTimeout(wake, 1_000);
        this.waiters.push(() => {
          clearTimeout(t);
          wake();
        });
      });
    }
  }
}
