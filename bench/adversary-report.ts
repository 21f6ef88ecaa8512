/**
 * The adversary benchmark's tables (markdown, pasted into docs/BENCHMARKS.md): one row
 * per attack, baseline and attack side by side, each target with PASS or MISS.
 */
import type { AttackResult } from './adversary-phases';
import { median } from './adversary-probe';

/** Issue 11's targets. */
export const TARGET = {
  p50Ratio: 2,
  p99Ratio: 5,
  lagP99Ms: 100,
  bytesPerRefused: 1024,
  silentTradeMs: 1_000,
};

/** One attack's figures, from one run or the medians of several. */
export interface Row {
  attack: string;
  baseP50: number;
  attackP50: number;
  p50Ratio: number;
  baseP99: number;
  attackP99: number;
  p99Ratio: number;
  samples: number;
  failed: number;
  baseLagP99: number;
  attackLagP99: number;
  attackLagMax: number;
  refused: number;
  bytesPerRefused: number;
  silentTradeMs: number;
}

export function row(r: AttackResult): Row {
  return {
    attack: r.attack,
    baseP50: r.base.p50,
    attackP50: r.during.p50,
    p50Ratio: r.during.p50 / r.base.p50,
    baseP99: r.base.p99,
    attackP99: r.during.p99,
    p99Ratio: r.during.p99 / r.base.p99,
    samples: r.during.samples,
    failed: r.during.failed,
    baseLagP99: r.base.lag.p99Ms,
    attackLagP99: r.during.lag.p99Ms,
    attackLagMax: r.during.lag.maxMs,
    refused: r.refused,
    bytesPerRefused: r.refused > 0 ? r.heapGrowth / r.refused : NaN,
    silentTradeMs: r.silent ? r.silent.firstTradeAfterMs : NaN,
  };
}

/**
 * Each figure's median over runs (ratios are taken within a run first, then the median).
 * A figure most runs do not have (bytes per refused event with nothing refused) has none.
 */
export function medianRow(rows: Row[]): Row {
  const out = { attack: rows[0].attack } as Row;
  for (const k of Object.keys(rows[0]) as Array<keyof Row>) {
    if (k === 'attack') continue;
    const xs = rows.map((r) => r[k] as number);
    (out[k] as number) = xs.filter((x) => !Number.isNaN(x)).length * 2 > xs.length ? median(xs) : NaN;
  }
  return out;
}

const ms = (x: number): string => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));
const ratio = (x: number): string => (Number.isNaN(x) ? '—' : `${x.toFixed(2)}×`);
const mark = (ok: boolean | null): string => (ok === null ? '' : ok ? ' PASS' : ' **MISS**');

export function table(rows: Row[]): string {
  const lines = [
    '| attack | honest p50 ms: base → attack | p50 × (≤ 2×) | honest p99 ms: base → attack | p99 × (≤ 5×) | failed takes | loop lag p99 ms: base → attack (≤ 100) | lag max ms | refused events | bytes / refused (≤ 1,024) | silent: trade after timeout ms (≤ 1,000) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const mem = Number.isNaN(r.bytesPerRefused) ? null : r.bytesPerRefused <= TARGET.bytesPerRefused;
    const silent = Number.isNaN(r.silentTradeMs) ? null : r.silentTradeMs <= TARGET.silentTradeMs;
    lines.push(
      `| ${r.attack} | ${ms(r.baseP50)} → ${ms(r.attackP50)} | ${ratio(r.p50Ratio)}${mark(r.p50Ratio <= TARGET.p50Ratio)} | ${ms(r.baseP99)} → ${ms(r.attackP99)} | ${ratio(r.p99Ratio)}${mark(r.p99Ratio <= TARGET.p99Ratio)} | ${Math.round(r.failed)} of ${Math.round(r.samples)} | ${ms(r.baseLagP99)} → ${ms(r.attackLagP99)}${mark(r.attackLagP99 <= TARGET.lagP99Ms)} | ${ms(r.attackLagMax)} | ${Math.round(r.refused)} | ${Number.isNaN(r.bytesPerRefused) ? '—' : Math.round(r.bytesPerRefused)}${mark(mem)} | ${ms(r.silentTradeMs)}${mark(silent)} |`,
    );
  }
  return lines.join('\n');
}

/** What each attacker did and what the victim counted, one line per attack (for the method notes). */
export function details(results: AttackResult[]): string {
  return results
    .map((r) => {
      const nonzero = (c: Record<string, number>) =>
        Object.entries(c)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => `${k}=${Math.round(v)}`)
          .join(' ');
      const fails = Object.keys(r.failures).length ? ` honest failures: ${nonzero(r.failures)}` : '';
      const silent = r.silent ? ` silent: ${JSON.stringify(r.silent, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}` : '';
      return `- ${r.attack}: attacker ${nonzero(r.attacker)}; victim ${nonzero(r.victim)}; at end ${nonzero(r.gauges)}; heap growth ${Math.round(r.heapGrowth / 1024)} KiB${fails}${silent}`;
    })
    .join('\n');
}
