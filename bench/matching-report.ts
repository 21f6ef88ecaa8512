/** Formats the benchmark results as markdown, with the targets checked. */
import type { Fingerprint } from './matching-run';

export interface EngineFigures {
  engine: string;
  opsPerSec: number;
  /** ns, by kind: limit, cancel, market, all. */
  p50: number[];
  p99: number[];
}

export interface VariantReport {
  name: string;
  ops: number;
  prefill: number;
  engines: EngineFigures[];
  fingerprint: Fingerprint;
}

export interface Report {
  machine: string;
  runs: number;
  variants: VariantReport[];
  memory: { engine: string; bytes: number; resting: number }[];
  seconds: number;
}

const OURS = 'p2p-exchange';
const THEIRS = 'nodejs-order-book';
/** Targets from issue 3. */
const TARGET_DENSE_RATIO = 10;
const TARGET_SPARSE_RATIO = 3;
const TARGET_P99_US = 20;
const TARGET_BYTES = 250;

const us = (ns: number): string => (ns / 1000).toFixed(2);
const fmtOps = (n: number): string => Math.round(n).toLocaleString('en-US');

export function printReport(r: Report): void {
  const out: string[] = [];
  out.push(`Machine: ${r.machine}`);
  out.push(`Runs: ${r.runs} per engine per pass (throughput pass, then a separate latency pass); medians shown. Total ${r.seconds.toFixed(0)} s.`);
  out.push('');
  out.push('| workload | engine | ops/s | × nodejs-order-book | limit p50 / p99 µs | cancel p50 / p99 µs | market p50 / p99 µs | all p50 / p99 µs |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  const ratios: number[] = [];
  let worstP99 = 0;
  for (const v of r.variants) {
    const base = v.engines.find((e) => e.engine === THEIRS)!.opsPerSec;
    for (const e of v.engines) {
      const ratio = e.opsPerSec / base;
      if (e.engine === OURS) {
        ratios.push(ratio);
        worstP99 = Math.max(worstP99, e.p99[3]);
      }
      const cells = [0, 1, 2, 3].map((k) => `${us(e.p50[k])} / ${us(e.p99[k])}`);
      out.push(`| ${v.name} | ${e.engine} | ${fmtOps(e.opsPerSec)} | ${ratio.toFixed(1)}× | ${cells.join(' | ')} |`);
    }
  }
  out.push('');
  out.push('Fingerprints (identical for both engines in every run, or the bench exits 1):');
  out.push('');
  out.push('| workload | limit filled (lots) | market filled (lots) | cancel hits | resting orders | resting lots | book hash | ops hash |');
  out.push('|---|---:|---:|---:|---:|---:|---|---|');
  for (const v of r.variants) {
    const f = v.fingerprint;
    out.push(
      `| ${v.name} | ${f.limitFilledLots} | ${f.marketFilledLots} | ${f.cancelHits} | ${f.restingOrders} | ${f.restingLots} | ${f.restingHash} | ${f.opsHash} |`,
    );
  }
  out.push('');
  out.push('| memory, 1M resting orders (dense) | bytes per resting order |');
  out.push('|---|---:|');
  for (const m of r.memory) out.push(`| ${m.engine} (${m.resting} resting) | ${m.bytes.toFixed(0)} |`);
  const ours = r.memory.find((m) => m.engine === OURS)!.bytes;
  out.push('');
  out.push('| target (issue 3) | measured | met |');
  out.push('|---|---:|---|');
  const row = (name: string, measured: string, ok: boolean): void => {
    out.push(`| ${name} | ${measured} | ${ok ? 'yes' : '**no**'} |`);
  };
  row(`≥ ${TARGET_DENSE_RATIO}× throughput, mixed (dense)`, `${ratios[0].toFixed(1)}×`, ratios[0] >= TARGET_DENSE_RATIO);
  row(`≥ ${TARGET_SPARSE_RATIO}× throughput, sparse`, `${ratios[1].toFixed(1)}×`, ratios[1] >= TARGET_SPARSE_RATIO);
  row(`p99 per op ≤ ${TARGET_P99_US} µs (worst variant, all ops)`, `${us(worstP99)} µs`, worstP99 <= TARGET_P99_US * 1000);
  row(`≤ ${TARGET_BYTES} bytes per resting order`, `${ours.toFixed(0)}`, ours <= TARGET_BYTES);
  console.log(out.join('\n'));
}
