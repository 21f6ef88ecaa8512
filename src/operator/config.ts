/**
 * Daemon configuration: environment variables, overridden by command-line flags.
 * `loadConfig` is pure (env and argv are passed in) and throws one ConfigError that
 * names the setting at fault, so a typo in ecosystem.config.js shows up as one clear
 * line in `pm2 logs` instead of a node that silently listens somewhere else.
 */
import { checkHost, parseAddress, type Address } from './address';

export type LogFormat = 'text' | 'json';

export interface DaemonConfig {
  /** Shown on every log line and used for the default data directory. */
  name: string;
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  dataDir: string;
  /** Dialled at start; peer exchange finds the rest. */
  peers: Address[];
  logFormat: LogFormat;
  /** Replies are sent no sooner than this after the request (pm2 CLI race, see register.ts). */
  replyDelayMs: number;
  /** An action still unanswered after this replies TIMEOUT, so `pm2 trigger` never hangs. */
  actionTimeoutMs: number;
  metricsIntervalMs: number;
  /** Must stay below pm2's kill_timeout, or pm2 SIGKILLs a node mid-flush. */
  shutdownTimeoutMs: number;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 3001,
  logFormat: 'text' as LogFormat,
  replyDelayMs: 20,
  actionTimeoutMs: 30_000,
  metricsIntervalMs: 1_000,
  shutdownTimeoutMs: 4_000,
};

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** One setting: its env var, its flag, and how its text becomes a value. */
interface Setting {
  key: keyof DaemonConfig;
  env: string;
  flag: string;
}

const SETTINGS: readonly Setting[] = [
  { key: 'name', env: 'NAME', flag: '--name' },
  { key: 'host', env: 'HOST', flag: '--host' },
  { key: 'port', env: 'PORT', flag: '--port' },
  { key: 'dataDir', env: 'DATA_DIR', flag: '--data-dir' },
  { key: 'peers', env: 'PEERS', flag: '--peers' },
  { key: 'logFormat', env: 'LOG_FORMAT', flag: '--log-format' },
  { key: 'replyDelayMs', env: 'REPLY_DELAY_MS', flag: '--reply-delay-ms' },
  { key: 'actionTimeoutMs', env: 'ACTION_TIMEOUT_MS', flag: '--action-timeout-ms' },
  { key: 'metricsIntervalMs', env: 'METRICS_INTERVAL_MS', flag: '--metrics-interval-ms' },
  { key: 'shutdownTimeoutMs', env: 'SHUTDOWN_TIMEOUT_MS', flag: '--shutdown-timeout-ms' },
];

export const USAGE = `usage: node dist/main.js [--name node1] [--host 127.0.0.1] [--port 3001]
       [--data-dir ./data/<name>] [--peers host:port,host:port] [--log-format text|json]
       [--reply-delay-ms 20] [--action-timeout-ms 30000] [--metrics-interval-ms 1000]
       [--shutdown-timeout-ms 4000]
Each flag can also be set by environment variable: ${SETTINGS.map((s) => s.env).join(', ')}.
Flags win over the environment. See docs/OPERATOR.md.`;

/** Names double as directory names and log prefixes: keep them boring. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function loadConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): DaemonConfig {
  const raw = new Map<keyof DaemonConfig, { text: string; from: string }>();
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v.trim() !== '') raw.set(s.key, { text: v.trim(), from: s.env });
  }
  for (const [flag, text] of parseArgv(argv)) {
    const s = SETTINGS.find((x) => x.flag === flag)!;
    raw.set(s.key, { text: text.trim(), from: flag });
  }
  // pm2 exports the app's name as `name`; it is the natural default under pm2.
  if (!raw.has('name') && env.name !== undefined && env.name.trim() !== '') {
    raw.set('name', { text: env.name.trim(), from: 'name (set by pm2)' });
  }

  const name = raw.get('name')?.text ?? 'node';
  if (!NAME.test(name)) {
    throw new ConfigError('name', `${raw.get('name')?.from ?? 'name'}: "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
  }

  const host = raw.get('host')?.text ?? DEFAULTS.host;
  const hostProblem = checkHost(host);
  if (hostProblem !== null) throw new ConfigError('host', `${raw.get('host')!.from}: ${hostProblem}`);

  const port = readInt(raw, 'port', DEFAULTS.port, 0, 65535);

  const dataDir = raw.get('dataDir')?.text ?? `./data/${name}`;

  const peers: Address[] = [];
  const peersText = raw.get('peers');
  if (peersText !== undefined) {
    for (const item of peersText.text.split(/[\s,]+/).filter((x) => x !== '')) {
      const parsed = parseAddress(item);
      if (typeof parsed === 'string') throw new ConfigError('peers', `${peersText.from}: ${parsed}`);
      peers.push(parsed);
    }
  }

  const fmt = raw.get('logFormat');
  const logFormat = (fmt?.text.toLowerCase() ?? DEFAULTS.logFormat) as LogFormat;
  if (logFormat !== 'text' && logFormat !== 'json') {
    throw new ConfigError('logFormat', `${fmt!.from}: "${fmt!.text}" is not a log format (text or json)`);
  }

  const config: DaemonConfig = {
    name,
    host,
    port,
    dataDir,
    peers,
    logFormat,
    replyDelayMs: readInt(raw, 'replyDelayMs', DEFAULTS.replyDelayMs, 0, 10_000),
    actionTimeoutMs: readInt(raw, 'actionTimeoutMs', DEFAULTS.actionTimeoutMs, 100, 3_600_000),
    metricsIntervalMs: readInt(raw, 'metricsIntervalMs', DEFAULTS.metricsIntervalMs, 100, 3_600_000),
    shutdownTimeoutMs: readInt(raw, 'shutdownTimeoutMs', DEFAULTS.shutdownTimeoutMs, 100, 600_000),
  };
  if (peers.some((p) => p.port === port && p.host === host)) {
    throw new ConfigError('peers', `${peersText!.from}: lists this node's own address ${host}:${port}`);
  }
  return config;
}

/** `--flag value` and `--flag=value`; anything else is refused, never ignored. */
function parseArgv(argv: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!SETTINGS.some((s) => s.flag === flag)) {
      throw new ConfigError('argv', `unknown argument "${arg}"\n${USAGE}`);
    }
    if (eq > 0) {
      out.push([flag, arg.slice(eq + 1)]);
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError('argv', `${flag} needs a value`);
      out.push([flag, value]);
      i++;
    }
  }
  return out;
}

function readInt(
  raw: Map<keyof DaemonConfig, { text: string; from: string }>,
  key: keyof DaemonConfig,
  fallback: number,
  min: number,
  max: number,
): number {
  const r = raw.get(key);
  if (r === undefined) return fallback;
  // Digits only: Number() would also take "0x10", "1e3" and " ".
  const n = /^\d{1,16}$/.test(r.text) ? Number(r.text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `${r.from}: "${r.text}" must be an integer ${min}-${max}`);
  }
  return n;
}
