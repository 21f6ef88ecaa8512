/**
 * `npm run bench:pm2`: how often does a real `pm2 trigger` CLI call hang, by reply
 * deferral? The pm2 CLI counts replies on its bus before it has learnt (from a racing
 * RPC answer) how many to wait for; a reply that wins the race leaves it waiting
 * forever (Unitech/pm2#3786). src/operator/register.ts defers every reply to no sooner
 * than REPLY_DELAY_MS after the request; this measures that remedy.
 *
 * For each delay in BENCH_DELAYS it starts BENCH_WORKERS fixture processes
 * (bench/pm2-reply-fixture.ts) under a private PM2_HOME and makes BENCH_CALLS real
 * `pm2 trigger <proc> ping` CLI calls, BENCH_WORKERS at a time (each worker on its own
 * process, since pm2 would mix replies of one process). A call still running after
 * BENCH_HANG_MS is counted as hung and killed. Then the same number of calls through
 * the bus driver (test/operator/support/pm2-driver.ts), which has no such race.
 * Prints a markdown table (docs/OPERATOR.md) and `pm2 kill`s its daemon.
 *
 * The race is rare on an idle machine and common on a busy one, so BENCH_LOAD busy-loop
 * child processes can run alongside the CLI calls (0 = none).
 *
 * Env: BENCH_CALLS (400), BENCH_DELAYS ("0,20"), BENCH_WORKERS (4), BENCH_HANG_MS (5000),
 * BENCH_LOAD (0).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pm2Driver, pm2CliEnv } from '../test/operator/support/pm2-driver';

const CALLS = Number(process.env.BENCH_CALLS ?? 400);
const DELAYS = (process.env.BENCH_DELAYS ?? '0,20').split(',').map(Number);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const HANG_MS = Number(process.env.BENCH_HANG_MS ?? 5000);
const LOAD = Number(process.env.BENCH_LOAD ?? 0);

/** Busy loops that compete with pm2 and the CLI for the CPU (killed in `finally`). */
function startLoad(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}
const PM2_BIN = require.resolve('pm2/bin/pm2');
const FIXTURE = path.join(__dirname, 'pm2-reply-fixture.js');

interface CliResult {
  hung: boolean;
  ms: number;
  replied: boolean;
  code: number | null;
}

function cliTrigger(pm2Home: string, proc: string): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PM2_BIN, 'trigger', proc, 'ping'],
      { env: pm2CliEnv(pm2Home), timeout: HANG_MS, killSignal: 'SIGKILL' },
      (err, stdout) => {
        const killed = err !== null && (err as { killed?: boolean }).killed === true;
        resolve({
          hung: killed,
          ms: performance.now() - started,
          replied: /\]=\{"ok":true,"pong":\d+\}/.test(stdout),
          code: err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null,
        });
      },
    );
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function main(): Promise<void> {
  const pm2Home = await mkdtemp(path.join(os.tmpdir(), 'pm2-bench-'));
  const driver = await Pm2Driver.connect({ pm2Home, timeoutMs: 20_000 });
  const rows: string[] = [];
  const load = startLoad(LOAD);
  try {
    const apps = DELAYS.flatMap((d) =>
      Array.from({ length: WORKERS }, (_, w) => ({
        name: `d${d}-w${w}`,
        script: FIXTURE,
        env: { REPLY_DELAY_MS: String(d) },
        wait_ready: true,
        listen_timeout: 10_000,
        autorestart: false,
      })),
    );
    await driver.start({ apps });

    for (const d of DELAYS) {
      // CLI: WORKERS concurrent loops, each on its own process.
      const results: CliResult[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          while (next < CALLS) {
            next++;
            results.push(await cliTrigger(pm2Home, `d${d}-w${w}`));
          }
        }),
      );
      const hung = results.filter((r) => r.hung);
      const done = results.filter((r) => !r.hung);
      const missing = done.filter((r) => !r.replied || r.code !== 0).length;
      const ms = done.map((r) => r.ms);
      rows.push(
        `| CLI \`pm2 trigger\` | ${d} | ${results.length} | ${hung.length} (${((100 * hung.length) / results.length).toFixed(2)}%) | ${missing} | ${quantile(ms, 0.5).toFixed(0)} | ${quantile(ms, 0.99).toFixed(0)} | ${os.loadavg()[0].toFixed(1)} |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);

      // Bus driver: one connection, sequential calls on one process.
      const busMs: number[] = [];
      let lost = 0;
      for (let i = 0; i < CALLS; i++) {
        const t = performance.now();
        try {
          const r = (await driver.trigger(`d${d}-w0`, 'ping', undefined, HANG_MS)) as { ok?: boolean };
          if (r?.ok !== true) lost++;
          busMs.push(performance.now() - t);
        } catch {
          lost++;
        }
      }
      rows.push(
        `| bus driver | ${d} | ${CALLS} | ${lost} | 0 | ${quantile(busMs, 0.5).toFixed(1)} | ${quantile(busMs, 0.99).toFixed(1)} | ${os.loadavg()[0].toFixed(1)} |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    for (const child of load) child.kill('SIGKILL');
    await driver.kill();
    await rm(pm2Home, { recursive: true, force: true });
  }
  console.log(`pm2 reply deferral: ${os.cpus().length} CPUs, node ${process.version}, ${WORKERS} concurrent CLI workers, ${LOAD} busy-loop processes, hang = no exit within ${HANG_MS} ms`);
  console.log('| path | REPLY_DELAY_MS | calls | hung / lost | exited without reply | p50 ms | p99 ms | load avg (1 min) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
