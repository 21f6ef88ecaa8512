import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from './clock';

/**
 * The wall clock, Node's timers and the OS's CSPRNG. Intervals are unref'd: a periodic
 * job (heartbeat, sampling) must never be what keeps a stopping process alive; one-shot
 * timers keep it alive as usual (a pending deadline is real work), and every owner
 * clears its timers in close().
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => {
    if (h) clearTimeout(h as unknown as NodeJS.Timeout);
  },
  setInterval: (fn, ms) => setInterval(fn, ms).unref() as unknown as TimerHandle,
  clearInterval: (h) => {
    if (h) clearInterval(h as unknown as NodeJS.Timeout);
  },
  random: () => randomBytes(4).readUInt32BE(0) / 0x1_0000_0000,
  randomBytes: (n) => randomBytes(n),
};
