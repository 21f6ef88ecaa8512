import type { EventEmitter } from 'node:events';

/**
 * Resolves when `check()` holds, re-checking whenever one of `events` fires on any of
 * `emitters`. Rejects after `timeoutMs` with `describe()`: a bound on failure, not a
 * sleep; a passing test never waits for it.
 */
export function waitUntil(
  emitters: EventEmitter[],
  events: string[],
  check: () => boolean,
  describe: () => string = () => 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = () => {
      clearTimeout(timer);
      for (const e of emitters) for (const ev of events) e.off(ev, onEvent);
    };
    const onEvent = () => {
      if (check()) {
        off();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for: ${describe()}`));
    }, timeoutMs);
    for (const e of emitters) for (const ev of events) e.on(ev, onEvent);
    onEvent();
  });
}

/** The next `event` on `emitter` (its arguments as an array). */
export function next<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`timed out waiting for '${event}'`));
    }, timeoutMs);
    const on = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    };
    emitter.once(event, on);
  });
}
