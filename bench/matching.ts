/**
 * `npm run bench:matching`: this project's engine against nodejs-order-book, side by
 * side in one process, on the same seeded workloads. Prints a markdown table (pasted
 * into docs/BENCHMARKS.md) and exits non-zero if the engines' fingerprints differ.
 *
 * Env: BENCH_RUNS (default 3) runs per engine and pass; medians are reported.
 */
import * as os from 'node:os';
import { createNodejsOrderBook } from './adapters/nodejs-order-book';
import { createP2pBook } from './adapters/p2p-book';
import type { EngineFactory } from './adapters/engine';
import { bytesPerRestingOrder, collect } from './matching-memory';
import { printReport, type VariantReport } from './matching-report';
import { type Fingerprint, median, quantile, run } from './matching-run';
import { DENSE, SPARSE, type WorkloadSpec, generate, generateResting } from './matching-workload';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const MEMORY_ORDERS = 1_000_000;
const ENGINES: EngineFactory[] = [createP2pBook, createNodejsOrderBook];

function variant(spec: WorkloadSpec): VariantReport {
  const t0 = Date.now();
  const w = generate(spec);
  const seconds = new Map<string, number[]>();
  const lat = new Map<string, number[][]>(); // engine -> [kind*2 + (0 p50 | 1 p99)] -> runs
  const prints = new Map<string, Fingerprint>();
  for (const measureLatency of [false, true]) {
    for (let r = 0; r < RUNS; r++) {
      // Alternate who goes first, so neither always runs on a warmer or fuller heap.
      const order = r % 2 === 0 ? ENGINES : [...ENGINES].reverse();
      for (const factory of order) {
        collect();
        const res = run(factory, w, measureLatency);
        checkFingerprint(prints, res.engine, res.fingerprint);
        if (!measureLatency) push(seconds, res.engine, res.seconds);
        else pushLatency(lat, res.engine, res.latencies!);
        log(`${spec.name} ${measureLatency ? 'latency' : 'throughput'} run ${r + 1}/${RUNS} ${res.engine}: ${res.seconds.toFixed(2)} s`);
      }
    }
  }
  log(`${spec.name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return {
    name: spec.name,
    ops: w.ops.length,
    prefill: w.prefill.length,
    engines: [...seconds.keys()].map((engine) => ({
      engine,
      opsPerSec: w.ops.length / median(seconds.get(engine)!),
      // kinds 0..3 = limit, cancel, market, all
      p50: [0, 1, 2, 3].map((k) => median(lat.get(engine)!.map((runs) => runs[k * 2]))),
      p99: [0, 1, 2, 3].map((k) => median(lat.get(engine)!.map((runs) => runs[k * 2 + 1]))),
    })),
    fingerprint: [...prints.values()][0],
  };
}

function pushLatency(lat: Map<string, number[][]>, engine: string, byKind: Float64Array[]): void {
  const all = new Float64Array(byKind.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of byKind) {
    all.set(a, at);
    at += a.length;
  }
  const row: number[] = [];
  for (const sample of [...byKind, all]) row.push(quantile(sample, 0.5), quantile(sample, 0.99));
  const runs = lat.get(engine) ?? [];
  runs.push(row);
  lat.set(engine, runs);
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const xs = m.get(k) ?? [];
  xs.push(v);
  m.set(k, xs);
}

function checkFingerprint(prints: Map<string, Fingerprint>, engine: string, fp: Fingerprint): void {
  const first = [...prints.values()][0];
  if (first !== undefined && JSON.stringify(first) !== JSON.stringify(fp)) {
    console.error('FINGERPRINT MISMATCH', engine, fp, 'expected', first);
    process.exit(1);
  }
  prints.set(engine, fp);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function load(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

function main(): void {
  const started = Date.now();
  const loadAtStart = load();
  const reports = [variant(DENSE), variant(SPARSE)];
  const memory = ENGINES.map((factory) => {
    const w = generateResting(DENSE, MEMORY_ORDERS);
    const m = bytesPerRestingOrder(factory, w);
    log(`memory ${m.engine}: ${m.bytes.toFixed(0)} bytes/order at ${m.resting} resting`);
    return m;
  });
  printReport({
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}; load average at start ${loadAtStart}, at end ${load()} (other work on the machine skews ratios)`,
    runs: RUNS,
    variants: reports,
    memory,
    seconds: (Date.now() - started) / 1000,
  });
}

main();
