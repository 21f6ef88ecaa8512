/**
 * The daemon's one source of time and chance. Every layer gets a Clock from the top
 * (src/operator/daemon.ts builds the real one; tests and the simulator pass a
 * ManualClock) and nothing in src/ reads the wall clock, arms a timer or draws random
 * bytes any other way — `npm test` checks that (test/clock/no-raw-time.test.ts). That
 * is what lets the simulator run a whole network in virtual time and replay a run from
 * its seed.
 */

/** An armed timer; pass it back to clearTimeout/clearInterval. Opaque on purpose. */
export interface TimerHandle {
  readonly __timer: true;
}

export interface Clock {
  /** Wall-clock time, ms since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | null | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | null | undefined): void;
  /** Uniform in [0, 1): backoff jitter, sampling. */
  random(): number;
  /** `n` random bytes: nonces and the random part of event ids. Keys are made elsewhere. */
  randomBytes(n: number): Buffer;
}
