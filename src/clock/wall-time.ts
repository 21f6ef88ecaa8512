/**
 * Wall-clock milliseconds from a monotonic source, for measuring how long something
 * took (the simulator's simulated-seconds-per-wall-second figure). Never part of what a
 * run decides or records: a simulated run's trace is in virtual time only.
 */
export function wallMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
