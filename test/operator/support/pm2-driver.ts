/**
 * Drives real pm2 from a test, the reliable way (see /work/shared/pm2-notes.md):
 * one RPC connection and one bus for the whole test, actions sent with `msgProcess`
 * and answered by the `axm:reply` whose pm_id and action_name match. Every wait has a
 * timeout, calls of the same action on the same process are serialised (pm2 does not
 * match replies to requests), and `kill()` stops the private pm2 daemon so nothing is
 * left running.
 *
 * Also runs the real `pm2` CLI (`cli()`), with the same private PM2_HOME, for the one
 * end-to-end check that `pm2 trigger` as typed by a person works and exits.
 *
 * Usage:
 *   const pm2 = await Pm2Driver.connect({ pm2Home: await mkdtemp(...) });
 *   try {
 *     await pm2.start(ecosystemFile);
 *     const r = await pm2.trigger('node1', 'addOrder', { side: 'buy', price: 50000, amount: 1 });
 *     await pm2.waitForLog('node3', /order\.added/);
 *   } finally {
 *     await pm2.kill();
 *   }
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import path from 'node:path';

// Resolved, not joined to __dirname: this file also runs compiled from dist-bench/.
const PM2_BIN = require.resolve('pm2/bin/pm2');
const DEFAULT_TIMEOUT_MS = 15_000;

/** The slice of pm2's programmatic API used here (it ships no types for `custom`). */
interface Pm2Api {
  connect(cb: (err?: Error | null) => void): void;
  launchBus(cb: (err: Error | null, bus: Bus) => void): void;
  msgProcess(cmd: { id: number; msg: string; opts?: unknown }, cb: (err: Error | null, res?: { process_count?: number }) => void): void;
  start(target: string | object, cb: (err: Error | null, procs?: unknown) => void): void;
  start(target: string | object, opts: object, cb: (err: Error | null, procs?: unknown) => void): void;
  list(cb: (err: Error | null, procs: ProcessDescription[]) => void): void;
  stop(target: string | number, cb: (err: Error | null) => void): void;
  delete(target: string | number, cb: (err: Error | null) => void): void;
  disconnect(cb?: (err?: Error | null) => void): void;
}

interface Bus {
  on(event: string, listener: (packet: BusPacket) => void): void;
  off?(event: string, listener: (packet: BusPacket) => void): void;
  removeListener?(event: string, listener: (packet: BusPacket) => void): void;
}

interface BusPacket {
  process: { pm_id: number; name: string };
  data?: unknown;
  event?: string;
}

export interface ProcessDescription {
  name: string;
  pm_id: number;
  pid?: number;
  pm2_env?: { status?: string; restart_time?: number; pm_out_log_path?: string; pm_err_log_path?: string };
}

export interface Pm2DriverOptions {
  /** A temp dir of the test's own: never the user's ~/.pm2. */
  pm2Home: string;
  /** Default timeout of every wait. */
  timeoutMs?: number;
}

/** The env every pm2 process we start must see: private home, no banner, no network. */
export function pm2Env(pm2Home: string): Record<string, string> {
  return {
    PM2_HOME: pm2Home,
    PM2_DISCRETE_MODE: 'true',
    PM2_DISABLE_VERSION_CHECK: 'true',
    NO_COLOR: '1',
  };
}

/** The environment for a pm2 CLI child: ours, minus the driver's PM2_SILENT (the CLI must print). */
export function pm2CliEnv(pm2Home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...pm2Env(pm2Home) };
  delete env.PM2_SILENT;
  delete env.PM2_PROGRAMMATIC;
  return env;
}

export class Pm2Driver {
  private readonly waiters = new Set<{ event: string; match: (p: BusPacket) => boolean; resolve: (p: BusPacket) => void }>();
  /** Per "pm_id:action": the tail of that key's call chain. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private savedEnv: Record<string, string | undefined> = {};
  private closed = false;
  private killed = false;

  private constructor(
    private readonly api: Pm2Api,
    private readonly bus: Bus,
    readonly pm2Home: string,
    readonly timeoutMs: number,
  ) {
    for (const event of ['axm:reply', 'log:out', 'log:err', 'process:event']) {
      bus.on(event, (packet) => this.dispatch(event, packet));
    }
  }

  static async connect(opts: Pm2DriverOptions): Promise<Pm2Driver> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // pm2 spawns its daemon with `{PM2_HOME: pm2_home, ...process.env}`: a PM2_HOME in
    // our own env would win over the option and the daemon would start somewhere else.
    // So the env is set for the driver's lifetime and restored by kill()/disconnect().
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries({ ...pm2Env(opts.pm2Home), PM2_SILENT: 'true' })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { custom: Pm2 } = require('pm2') as { custom: new (o: object) => Pm2Api };
      const api = new Pm2({ pm2_home: opts.pm2Home, daemon_mode: true });
      await withTimeout(callback<void>((cb) => api.connect((err) => cb(err ?? null))), timeoutMs, 'pm2.connect');
      const bus = await withTimeout(callback<Bus>((cb) => api.launchBus(cb)), timeoutMs, 'pm2.launchBus');
      const driver = new Pm2Driver(api, bus, opts.pm2Home, timeoutMs);
      driver.savedEnv = saved;
      return driver;
    } catch (err) {
      restoreEnv(saved);
      throw err;
    }
  }

  /** A driver on a fresh private PM2_HOME in the temp dir; `dispose()` kills its daemon and removes it. */
  static async inTempHome(prefix: string, timeoutMs?: number): Promise<Pm2Driver> {
    const home = await mkdtemp(path.join(os.tmpdir(), prefix));
    try {
      return await Pm2Driver.connect({ pm2Home: home, timeoutMs });
    } catch (err) {
      await rm(home, { recursive: true, force: true });
      throw err;
    }
  }

  /** `kill()`, then removes the PM2_HOME (for drivers made by `inTempHome`). */
  async dispose(): Promise<void> {
    try {
      await this.kill();
    } finally {
      await rm(this.pm2Home, { recursive: true, force: true });
    }
  }

  /** `pm2 start <ecosystem file or app config>`; with wait_ready it resolves once every app said ready. */
  async start(target: string | object, opts: object = {}): Promise<void> {
    await withTimeout(callback<unknown>((cb) => this.api.start(target, opts, cb)), this.timeoutMs * 2, 'pm2.start');
  }

  async list(): Promise<ProcessDescription[]> {
    return withTimeout(callback<ProcessDescription[]>((cb) => this.api.list(cb)), this.timeoutMs, 'pm2.list');
  }

  async describe(name: string): Promise<ProcessDescription> {
    const found = (await this.list()).filter((p) => p.name === name);
    if (found.length !== 1) throw new Error(`pm2: expected one process named ${name}, found ${found.length}`);
    return found[0]!;
  }

  async stop(name: string): Promise<void> {
    await withTimeout(callback<void>((cb) => this.api.stop(name, (err) => cb(err))), this.timeoutMs, `pm2.stop ${name}`);
  }

  async delete(name: string): Promise<void> {
    await withTimeout(callback<void>((cb) => this.api.delete(name, (err) => cb(err))), this.timeoutMs, `pm2.delete ${name}`);
  }

  /**
   * Trigger an action and resolve with its reply (`data.return`). `param` is sent as
   * the CLI would send it when it is a string; objects are sent as is. Omit it for
   * actions that take none (pm2 then delivers `{}`).
   */
  trigger(name: string | number, action: string, param?: unknown, timeoutMs = this.timeoutMs): Promise<unknown> {
    const run = async (): Promise<unknown> => {
      const id = typeof name === 'number' ? name : (await this.describe(name)).pm_id;
      const key = `${id}:${action}`;
      // Chain after the previous call with the same key: pm2 tells replies apart only
      // by process and action name, so two at once could swap answers.
      const previous = this.queues.get(key) ?? Promise.resolve();
      const mine = previous.catch(() => undefined).then(async () => {
        // Listen before sending: a fast reply must not slip past us.
        const reply = this.waitFor(
          'axm:reply',
          (p) => p.process.pm_id === id && (p.data as { action_name?: string } | undefined)?.action_name === action,
          timeoutMs,
          `reply to ${action} on ${String(name)}`,
        );
        // Observed below; this only stops a timeout during msgProcess from being "unhandled".
        reply.promise.catch(() => undefined);
        const cmd = param === undefined ? { id, msg: action } : { id, msg: action, opts: param };
        try {
          const res = await withTimeout(callback<{ process_count?: number } | undefined>((cb) => this.api.msgProcess(cmd, cb)), timeoutMs, `msgProcess ${action}`);
          if (res?.process_count !== 1) throw new Error(`pm2: ${action} reached ${res?.process_count ?? 0} processes`);
        } catch (err) {
          reply.cancel();
          throw err;
        }
        return ((await reply.promise).data as { return?: unknown }).return;
      });
      this.queues.set(key, mine);
      try {
        return await mine;
      } finally {
        if (this.queues.get(key) === mine) this.queues.delete(key);
      }
    };
    return run();
  }

  /** Resolves with the first log line (stdout) of `name` matching `pattern` from now on. */
  waitForLog(name: string, pattern: RegExp, timeoutMs = this.timeoutMs): Promise<string> {
    const w = this.waitFor(
      'log:out',
      (p) => p.process.name === name && typeof p.data === 'string' && pattern.test(p.data),
      timeoutMs,
      `log line ${String(pattern)} from ${name}`,
    );
    return w.promise.then((p) => p.data as string);
  }

  /** Resolves on the next pm2 process event (`online`, `exit`, `restart`...) of `name`. */
  waitForProcessEvent(name: string, event: string, timeoutMs = this.timeoutMs): Promise<void> {
    const w = this.waitFor('process:event', (p) => p.process.name === name && p.event === event, timeoutMs, `${event} of ${name}`);
    return w.promise.then(() => undefined);
  }

  /** The log files pm2 wrote for `name` (stdout, stderr). */
  async logFiles(name: string): Promise<{ out: string; err: string }> {
    const env = (await this.describe(name)).pm2_env ?? {};
    const read = (file: string | undefined) => (file === undefined ? Promise.resolve('') : readFile(file, 'utf8').catch(() => ''));
    return { out: await read(env.pm_out_log_path), err: await read(env.pm_err_log_path) };
  }

  /** Runs the real pm2 CLI against the same daemon, e.g. cli(['trigger', 'node1', 'status']). */
  cli(args: string[], timeoutMs = this.timeoutMs): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [PM2_BIN, ...args],
        { env: pm2CliEnv(this.pm2Home), timeout: timeoutMs, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          if (err && (err as { killed?: boolean }).killed) {
            reject(new Error(`pm2 ${args.join(' ')}: no exit within ${timeoutMs} ms (CLI hung)`));
            return;
          }
          const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /**
   * Stops every app and the pm2 daemon (`pm2 kill` on our PM2_HOME), after closing our
   * own connection. Safe to call twice.
   *
   * Not `api.killDaemon()`: the daemon answers it with SIGQUIT to the calling process,
   * which pm2 catches with `process.once('SIGQUIT')`, and under jest that listener sits
   * on the sandbox's `process` copy, so the SIGQUIT kills the test runner. The CLI
   * child takes the signal instead.
   */
  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    await this.disconnect();
    const r = await this.cli(['kill']);
    if (r.code !== 0) throw new Error(`pm2 kill exited ${r.code}: ${r.stderr}`);
  }

  /** Leaves the daemon running (another driver may reconnect); closes our sockets. */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // If the daemon goes away first, pm2's client sockets would retry forever (axon's
    // reconnect timer) and keep this process alive: turn reconnection off.
    stopReconnecting(this.api);
    for (const w of [...this.waiters]) this.waiters.delete(w);
    try {
      await withTimeout(callback<void>((cb) => this.api.disconnect(() => cb(null))), this.timeoutMs, 'pm2.disconnect');
    } finally {
      restoreEnv(this.savedEnv);
    }
  }

  private dispatch(event: string, packet: BusPacket): void {
    for (const w of [...this.waiters]) {
      if (w.event === event && w.match(packet)) {
        this.waiters.delete(w);
        w.resolve(packet);
      }
    }
  }

  private waitFor(event: string, match: (p: BusPacket) => boolean, timeoutMs: number, what: string): { promise: Promise<BusPacket>; cancel(): void } {
    let entry!: { event: string; match: (p: BusPacket) => boolean; resolve: (p: BusPacket) => void };
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<BusPacket>((resolve, reject) => {
      entry = {
        event,
        match,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      timer = setTimeout(() => {
        this.waiters.delete(entry);
        reject(new Error(`pm2: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(entry);
    });
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        this.waiters.delete(entry);
        promise.catch(() => undefined);
      },
    };
  }
}

function callback<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (err) {
      reject(err);
    }
  });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`pm2: ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** pm2 internals (pm2-axon sockets): `retry timeout` 0 makes a dropped socket close for good. */
function stopReconnecting(api: Pm2Api): void {
  const client = (api as unknown as { Client?: Record<string, unknown> }).Client;
  for (const key of ['client_sock', 'sub_sock']) {
    const sock = client?.[key] as { set?: (k: string, v: number) => void; retry?: number } | undefined;
    if (sock?.set === undefined) continue;
    sock.set('retry timeout', 0);
    sock.retry = 0;
  }
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
