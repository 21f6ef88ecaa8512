/**
 * One connection to a pm2 daemon that sends actions to processes and hands each caller
 * its own reply. pm2 publishes every `axm:reply` of a process to every bus listener,
 * and its own CLI takes the first one from the right process whatever it answers; this
 * client takes only the reply whose process, action name and echoed `ref` are all the
 * request's, so any number of calls, in this process or in others, can be in flight on
 * one node at once.
 *
 * The approach of test/operator/support/pm2-driver.ts (one RPC connection, one bus,
 * `msgProcess`), never the CLI: the CLI cannot tell replies apart and has no timeout.
 * It never starts a pm2 daemon: with none running at `pm2Home` it says so.
 */
import { existsSync } from 'node:fs';
import type { TimerHandle } from '../clock/clock';
import { realClock } from '../clock/real-clock';
import path from 'node:path';

/** Why a call could not get its reply; `code` is stable, the CLI maps it to an exit code. */
export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export type ClientErrorCode =
  /** No pm2 daemon runs at the pm2 home: nothing was sent. */
  | 'NO_DAEMON'
  /** No process, or more than one, has that name: nothing was sent. */
  | 'UNKNOWN_PROCESS'
  /** The process exists but is not online: nothing was sent. */
  | 'NOT_RUNNING'
  /** The process has no such action: nothing was sent. */
  | 'UNKNOWN_ACTION'
  /** pm2 itself failed (RPC error, lost connection). */
  | 'PM2_ERROR'
  /** The request was delivered but no reply came in time: its outcome is unknown. */
  | 'NO_REPLY';

/** The slice of pm2's programmatic API used here (pm2 ships no types for `custom`). */
interface Pm2Api {
  connect(cb: (err?: Error | null) => void): void;
  launchBus(cb: (err: Error | null, bus: Bus) => void): void;
  list(cb: (err: Error | null, procs: ProcessInfo[]) => void): void;
  msgProcess(cmd: { id: number; msg: string; opts: unknown }, cb: (err: Error | null, res?: { process_count?: number }) => void): void;
  disconnect(cb: (err?: Error | null) => void): void;
  Client?: { pingDaemon?: (cb: (alive: boolean) => void) => void } & Record<string, unknown>;
}

interface Bus {
  on(event: 'axm:reply', listener: (packet: ReplyPacket) => void): void;
}

interface ReplyPacket {
  process?: { pm_id?: number };
  data?: { action_name?: unknown; return?: unknown };
}

interface ProcessInfo {
  name: string;
  pm_id: number;
  pm2_env?: { status?: string };
}

interface Waiter {
  id: number;
  action: string;
  ref: string;
  resolve(reply: Record<string, unknown>): void;
}

/** The environment pm2 reads when loaded: our home, and no banner, version check or printing. */
export function pm2ClientEnv(pm2Home: string): Record<string, string> {
  return { PM2_HOME: pm2Home, PM2_DISCRETE_MODE: 'true', PM2_DISABLE_VERSION_CHECK: 'true', PM2_SILENT: 'true' };
}

export class Pm2Client {
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  private constructor(
    private readonly api: Pm2Api,
    readonly pm2Home: string,
    private readonly restoreEnv: () => void,
  ) {}

  /**
   * Connects to the pm2 daemon at `pm2Home` within `timeoutMs`. pm2 reads PM2_HOME
   * from the environment when loaded and again when it starts processes, so the
   * environment is set for the client's lifetime and restored by `close()`.
   */
  static async connect(pm2Home: string, timeoutMs: number): Promise<Pm2Client> {
    const home = path.resolve(pm2Home);
    if (!existsSync(path.join(home, 'rpc.sock'))) {
      throw new ClientError('NO_DAEMON', `no pm2 daemon at ${home}: start the nodes first (npm start)`);
    }
    const saved = setEnv(pm2ClientEnv(home));
    const restore = () => setEnv(saved);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { custom: Pm2 } = require('pm2') as { custom: new (o: object) => Pm2Api };
      const api = new Pm2({ pm2_home: home, daemon_mode: true });
      // pm2.connect() starts a daemon when none answers; a client must not leave one behind.
      const alive = await within(new Promise<boolean>((resolve) => api.Client?.pingDaemon?.(resolve) ?? resolve(true)), timeoutMs, 'pm2 ping');
      if (!alive) throw new ClientError('NO_DAEMON', `the pm2 daemon at ${home} does not answer: start the nodes first (npm start)`);
      await within(fromCallback<void>((cb) => api.connect((err) => cb(err ?? null))), timeoutMs, 'pm2 connect');
      const client = new Pm2Client(api, home, restore);
      const bus = await within(fromCallback<Bus>((cb) => api.launchBus(cb)), timeoutMs, 'pm2 bus');
      bus.on('axm:reply', (packet) => client.onReply(packet));
      return client;
    } catch (err) {
      restore();
      throw err instanceof ClientError ? err : new ClientError('PM2_ERROR', `pm2: ${errorText(err)}`);
    }
  }

  /**
   * Sends `action` with `param` (which must carry `ref`) to the process named (or
   * numbered) `target`, and resolves with the reply that answers exactly this request.
   * Rejects with a ClientError: NO_REPLY once `timeoutMs` has passed since the call.
   */
  async call(target: string, action: string, param: Record<string, unknown> & { ref: string }, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.closed) throw new ClientError('PM2_ERROR', 'the client is closed');
    const deadline = realClock.now() + timeoutMs;
    const left = () => Math.max(1, deadline - realClock.now());
    // Once msgProcess is under way the request may have been delivered: a timeout from
    // then on leaves the outcome unknown, whichever step it cut.
    const noReply = () =>
      new ClientError('NO_REPLY', `no reply from ${target} to ${action} (ref ${param.ref}) within ${timeoutMs} ms: its outcome is unknown`);
    const id = await this.resolve(target, left());
    let waiter!: Waiter;
    const reply = new Promise<Record<string, unknown>>((resolve) => {
      waiter = { id, action, ref: param.ref, resolve };
    });
    // Listen before sending: a fast reply must not slip past.
    this.waiters.add(waiter);
    try {
      const sent = await within(
        fromCallback<{ process_count?: number } | undefined>((cb) => this.api.msgProcess({ id, msg: action, opts: param }, cb)),
        left(),
        `sending ${action}`,
        noReply,
      );
      if (sent?.process_count !== 1) throw new ClientError('NOT_RUNNING', `${target} did not receive ${action}`);
      return await within(reply, left(), 'reply', noReply);
    } catch (err) {
      throw err instanceof ClientError ? err : sendError(err, target, action);
    } finally {
      this.waiters.delete(waiter);
    }
  }

  /** Closes the connection; pending calls are left to their timeouts. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    stopReconnecting(this.api);
    try {
      await within(fromCallback<void>((cb) => this.api.disconnect(() => cb(null))), 2000, 'pm2 disconnect');
    } catch {
      // Closing is best effort: the sockets no longer reconnect, so nothing keeps us alive.
    } finally {
      this.restoreEnv();
    }
  }

  private onReply(packet: ReplyPacket): void {
    const ret = packet.data?.return as { ref?: unknown } | undefined;
    if (typeof ret !== 'object' || ret === null) return;
    for (const w of this.waiters) {
      if (packet.process?.pm_id === w.id && packet.data?.action_name === w.action && ret.ref === w.ref) {
        this.waiters.delete(w);
        w.resolve(ret as Record<string, unknown>);
        return;
      }
    }
  }

  /** A pm2 id as given, or the one online-or-not process with that name. */
  private async resolve(target: string, timeoutMs: number): Promise<number> {
    const procs = await within(fromCallback<ProcessInfo[]>((cb) => this.api.list(cb)), timeoutMs, 'pm2 list');
    const found = /^\d+$/.test(target) ? procs.filter((p) => p.pm_id === Number(target)) : procs.filter((p) => p.name === target);
    if (found.length === 0) {
      const names = procs.map((p) => p.name).join(', ') || 'none';
      throw new ClientError('UNKNOWN_PROCESS', `no process ${target} in the pm2 at ${this.pm2Home} (processes: ${names})`);
    }
    if (found.length > 1) {
      throw new ClientError('UNKNOWN_PROCESS', `${found.length} processes are named ${target}: give one's pm2 id (${found.map((p) => p.pm_id).join(', ')})`);
    }
    const proc = found[0]!;
    const status = proc.pm2_env?.status;
    if (status !== 'online' && status !== 'launching') {
      throw new ClientError('NOT_RUNNING', `${target} is ${status ?? 'not running'}: nothing was sent`);
    }
    return proc.pm_id;
  }
}

/** pm2 says why msgProcess failed only in words; these are its words (lib/God/ActionMethods.js). */
function sendError(err: unknown, target: string, action: string): ClientError {
  const text = errorText(err);
  if (/Action doesn't exist/i.test(text)) return new ClientError('UNKNOWN_ACTION', `${target} has no action ${action}`);
  if (/offline/i.test(text)) return new ClientError('NOT_RUNNING', `${target} is not running: nothing was sent`);
  if (/id unknown/i.test(text)) return new ClientError('UNKNOWN_PROCESS', `no process ${target}`);
  return new ClientError('PM2_ERROR', `pm2: ${text}`);
}

function fromCallback<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (err) {
      reject(err);
    }
  });
}

async function within<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => Error): Promise<T> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = realClock.setTimeout(() => reject(onTimeout?.() ?? new ClientError('PM2_ERROR', `pm2: ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    realClock.clearTimeout(timer);
  }
}

/** pm2-axon sockets retry forever once the daemon goes away; `retry timeout` 0 makes them close. */
function stopReconnecting(api: Pm2Api): void {
  for (const key of ['client_sock', 'sub_sock']) {
    const sock = api.Client?.[key] as { set?: (k: string, v: number) => void; retry?: number } | undefined;
    if (sock?.set === undefined) continue;
    sock.set('retry timeout', 0);
    sock.retry = 0;
  }
}

function setEnv(values: Record<string, string | undefined>): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(values)) {
    previous[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return previous;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
