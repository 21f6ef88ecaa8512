/**
 * One exchange node as a long-running process: start the exchange from a config,
 * expose it to pm2 (actions, metrics), tell pm2 it is ready, and shut down cleanly on
 * SIGINT/SIGTERM before pm2's kill_timeout turns the stop into a SIGKILL.
 *
 * The exchange itself comes from a factory so this file does not depend on how a
 * node is built; the entry point (src/main.ts) is just:
 *
 *   import { main } from './operator/daemon';
 *   import { Exchange } from './exchange/exchange';
 *   void main((opts) => Exchange.start(opts));
 */
import type { ExchangeApi, ExchangeOptions } from '../exchange/api';
import type { Logger } from '../log/logger';
import { ConfigError, loadConfig, USAGE, type DaemonConfig } from './config';
import { createLogger } from './log-format';
import { startMetrics, type MetricRegistry } from './metrics';
import { registerActions, type ActionRegistry } from './register';
import { realTimers, type Timers } from './timers';

export type ExchangeFactory = (opts: ExchangeOptions) => Promise<ExchangeApi>;

/** Exit codes: pm2's ecosystem lists EXIT_CONFIG in stop_exit_codes, so a bad config
 * stops the app instead of restarting it in a loop. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CONFIG = 2;

type Signal = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM'];

/** The part of `process` the daemon touches (a fake in tests). */
export interface ProcessLike {
  on(signal: Signal, listener: () => void): unknown;
  removeListener(signal: Signal, listener: () => void): unknown;
  /** Present when started by pm2 (IPC channel): used for `ready`. */
  send?: (message: unknown) => unknown;
  exit(code: number): void;
}

export interface DaemonDeps {
  /** @pm2/io, or a fake. Loaded lazily: requiring it starts its own services. */
  io?: ActionRegistry & MetricRegistry;
  proc?: ProcessLike;
  timers?: Timers;
  /** Replaces the stdout logger built from config.logFormat (tests pass silentLogger). */
  log?: Logger;
}

export interface Daemon {
  readonly config: DaemonConfig;
  readonly exchange: ExchangeApi;
  readonly log: Logger;
  /** Stops actions and metrics, then the exchange (bounded by shutdownTimeoutMs). Idempotent. */
  close(): Promise<void>;
}

export async function runDaemon(config: DaemonConfig, factory: ExchangeFactory, deps: DaemonDeps = {}): Promise<Daemon> {
  const proc = deps.proc ?? process;
  const timers = deps.timers ?? realTimers;
  const log = deps.log ?? createLogger({ name: config.name, format: config.logFormat });
  const io = deps.io ?? loadPm2Io();

  log.info('daemon.starting', {
    addr: `${config.host}:${config.port}`,
    dataDir: config.dataDir,
    peers: config.peers.map((p) => `${p.host}:${p.port}`),
  });
  let exchange: ExchangeApi;
  try {
    exchange = await factory({
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      peers: config.peers,
      log,
    });
  } catch (err) {
    log.warn('daemon.start_failed', { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }

  const actions = registerActions(io, exchange, {
    replyDelayMs: config.replyDelayMs,
    actionTimeoutMs: config.actionTimeoutMs,
    log,
    timers,
  });
  const metrics = startMetrics(io, exchange, { intervalMs: config.metricsIntervalMs, log, timers });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      actions.close();
      metrics.close();
      const closed = await withTimeout(exchange.close(), config.shutdownTimeoutMs, timers);
      if (closed === 'timeout') {
        log.warn('daemon.close_timeout', { ms: config.shutdownTimeoutMs });
        throw new Error(`exchange did not close within ${config.shutdownTimeoutMs} ms`);
      }
      log.info('daemon.stopped', {});
    })();
    return closing;
  };

  let signalled = false;
  const onSignal = (signal: Signal): void => {
    if (signalled) {
      // A second Ctrl-C means "now": don't make the operator wait for a stuck close.
      log.warn('daemon.forced_exit', { signal });
      proc.exit(EXIT_FAILED);
      return;
    }
    signalled = true;
    log.info('daemon.stopping', { signal });
    close().then(
      () => proc.exit(EXIT_OK),
      (err: unknown) => {
        log.warn('daemon.stop_failed', { error: err instanceof Error ? err.message : String(err) });
        proc.exit(EXIT_FAILED);
      },
    );
  };
  const listeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) proc.on(signal, listener);

  log.info('daemon.ready', { node: exchange.nodeId, addr: listeningAddress(exchange, config) });
  // Only now may `pm2 start` (wait_ready) return: the port is bound and actions answer.
  proc.send?.('ready');

  return {
    config,
    exchange,
    log,
    close: async () => {
      for (const [signal, listener] of listeners) proc.removeListener(signal, listener);
      await close();
    },
  };
}

export interface MainDeps extends DaemonDeps {
  env?: Readonly<Record<string, string | undefined>>;
  argv?: readonly string[];
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/**
 * The whole process: config from env/argv, run, exit on failure. A bad config prints
 * one clear line to stderr (pm2's error log) and exits EXIT_CONFIG.
 */
export async function main(factory: ExchangeFactory, deps: MainDeps = {}): Promise<Daemon | undefined> {
  const proc = deps.proc ?? process;
  const env = deps.env ?? process.env;
  const argv = deps.argv ?? process.argv.slice(2);
  const stdout = deps.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = deps.stderr ?? ((t: string) => void process.stderr.write(t));

  if (argv.includes('--help') || argv.includes('-h')) {
    stdout(USAGE + '\n');
    proc.exit(EXIT_OK);
    return undefined;
  }
  let config: DaemonConfig;
  try {
    config = loadConfig(env, argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stderr(`p2p-exchange: bad configuration: ${err.message}\n`);
    proc.exit(EXIT_CONFIG);
    return undefined;
  }
  try {
    return await runDaemon(config, factory, deps);
  } catch (err) {
    stderr(`p2p-exchange: ${config.name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    proc.exit(EXIT_FAILED);
    return undefined;
  }
}

/** The bound address (port 0 becomes a real port); the configured one if status() fails. */
function listeningAddress(exchange: ExchangeApi, config: DaemonConfig): string {
  try {
    const s = exchange.status();
    return `${s.host}:${s.port}`;
  } catch {
    return `${config.host}:${config.port}`;
  }
}

function loadPm2Io(): ActionRegistry & MetricRegistry {
  // Under pm2 this returns pm2's injected instance (same global symbol), which is the
  // one wired to the pm2 daemon; outside pm2 it connects nowhere.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@pm2/io') as ActionRegistry & MetricRegistry;
}

async function withTimeout<T>(p: Promise<T>, ms: number, timers: Timers): Promise<T | 'timeout'> {
  let handle: unknown;
  const timeout = new Promise<'timeout'>((resolve) => {
    handle = timers.setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    timers.clearTimeout(handle);
  }
}
