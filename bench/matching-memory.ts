/**
 * Bytes per resting order: heap plus off-heap (typed array) memory an engine holds
 * after resting `count` orders, divided by count. The order ids are made before the
 * baseline, since every engine needs the caller's ids; what is measured is what the
 * engine adds on top of them.
 */
import type { EngineFactory } from './adapters/engine';
import type { Workload } from './matching-workload';

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run node with --expose-gc');
  gc();
  gc();
}

/** heapUsed misses ArrayBuffer backing stores; `external` counts them. */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export function bytesPerRestingOrder(factory: EngineFactory, w: Workload): { engine: string; bytes: number; resting: number } {
  collect();
  const before = used();
  const engine = factory();
  const { side, price, lots, ref, length } = w.prefill;
  for (let i = 0; i < length; i++) engine.limit(side[i], w.ids[ref[i]], price[i], lots[i], i);
  collect();
  const bytes = (used() - before) / length;
  // Read after measuring, so the engine is still reachable when memory is measured.
  const resting = engine.summary().orders;
  return { engine: engine.name, bytes, resting };
}

export { collect };
