/**
 * Watches the process while the fuzzer runs: an exception nobody caught, a rejection
 * nobody handled, or a call to process.exit would each end a daemon. The issue asks
 * for zero of each; the guard counts them instead of letting them end the run, so the
 * report can name the case that caused them.
 */
export interface Crash {
  kind: 'uncaughtException' | 'unhandledRejection' | 'exit';
  message: string;
  stack?: string;
}

/** Crashes kept in full; past this only the count grows (a loop of the same crash says nothing new). */
const KEPT = 20;

export class CrashGuard {
  readonly crashes: Crash[] = [];
  count = 0;
  private installed = false;
  private realExit: typeof process.exit | null = null;

  private readonly onError = (err: unknown): void => this.record('uncaughtException', err);
  private readonly onRejection = (err: unknown): void => this.record('unhandledRejection', err);

  install(): this {
    if (this.installed) return this;
    this.installed = true;
    process.on('uncaughtException', this.onError);
    process.on('unhandledRejection', this.onRejection);
    this.realExit = process.exit;
    process.exit = ((code?: number) => {
      this.record('exit', new Error(`process.exit(${code ?? ''}) called`));
      throw new Error('process.exit called under the fuzz guard');
    }) as typeof process.exit;
    return this;
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    process.off('uncaughtException', this.onError);
    process.off('unhandledRejection', this.onRejection);
    if (this.realExit) process.exit = this.realExit;
  }

  private record(kind: Crash['kind'], err: unknown): void {
    this.count++;
    if (this.crashes.length >= KEPT) return;
    const e = err instanceof Error ? err : new Error(String(err));
    this.crashes.push({ kind, message: e.message, stack: e.stack });
  }
}
