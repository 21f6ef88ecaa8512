/**
 * The client's command line → one request: which node, which action, and the param
 * as a JSON object carrying the `ref` the reply will be matched on. Pure: the ref
 * maker is injected. Anything it refuses is a UsageError, found before anything is
 * sent, so a request the client cannot match is never made.
 */
import { refProblem } from '../operator/ref';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Request {
  node: string;
  action: string;
  param: Record<string, unknown> & { ref: string };
  ref: string;
}

export interface Options {
  pretty: boolean;
  /** Undefined: the default. */
  timeoutMs: number | undefined;
  pm2Home: string | undefined;
  help: boolean;
}

/** Longest wait anyone could mean; a bigger number is a typo (and past setTimeout's range). */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export const USAGE = `usage: p2p-exchange [options] <node> <action> ['<json param>']

Sends one action to one node through pm2 and prints the reply that answers it
(matched on process, action and ref, so concurrent calls never swap replies).

  npx p2p-exchange node1 addOrder '{"side":"sell","price":50000,"amount":1}'
  npx p2p-exchange node2 acceptOrder '{"id":"<order id>","amount":0.4,"ref":"job-7"}'
  npx p2p-exchange node4 connect 127.0.0.1:3001
  npx p2p-exchange --pretty node3 status

options:
  --pretty          indent the JSON reply
  --timeout <ms>    give up waiting after this long (default 40000)
  --ref <ref>       the ref to send (default: a new UUID); or put "ref" in the param
  --pm2-home <dir>  the pm2 daemon to use (default: this project's .pm2)
  -h, --help        this text

exit codes: 0 ok; 1 the node refused or failed (nothing was done); 2 bad usage
(nothing sent); 3 outcome unknown (reply OUTCOME_UNKNOWN, or no reply in time:
check trades / myOrders); 4 could not deliver (no pm2 daemon, no such node or
action, node not running: nothing sent).`;

/** argv (without node and script) → options and the request's parts. */
export function parseArgs(argv: readonly string[]): { options: Options; args: string[]; ref: string | undefined } {
  const options: Options = { pretty: false, timeoutMs: undefined, pm2Home: undefined, help: false };
  const args: string[] = [];
  let ref: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    // Options may come anywhere; a param starting with '-' goes after `--`.
    if (!arg.startsWith('-')) {
      args.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--pretty':
        options.pretty = true;
        break;
      case '-h':
      case '--help':
        options.help = true;
        break;
      case '--timeout':
        options.timeoutMs = parseTimeout(value());
        break;
      case '--pm2-home':
        options.pm2Home = value();
        break;
      case '--ref':
        ref = value();
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  return { options, args, ref };
}

function parseTimeout(text: string): number {
  const ms = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) throw new UsageError(`--timeout must be a whole number of milliseconds, 1-${MAX_TIMEOUT_MS}`);
  return ms;
}

/**
 * node, action and the optional param text → the request. The param must be a JSON
 * object (the ref rides in it), except for `connect`, whose bare `host:port` form is
 * sent as `{"address":"host:port"}`.
 */
export function buildRequest(args: readonly string[], refOption: string | undefined, makeRef: () => string): Request {
  if (args.length < 2) throw new UsageError('give a node and an action');
  if (args.length > 3) throw new UsageError(`one param only, got ${args.length - 2}: quote the JSON param ('{"id":"..."}')`);
  const [node, action, text] = args as [string, string, string | undefined];
  if (node === '' || action === '') throw new UsageError('give a node and an action');
  const param = paramObject(action, text);
  if (param.ref !== undefined && refOption !== undefined && param.ref !== refOption) {
    throw new UsageError('two different refs: --ref and "ref" in the param');
  }
  const ref = param.ref ?? refOption ?? makeRef();
  const problem = refProblem(ref);
  if (problem !== null) throw new UsageError(problem);
  return { node, action, param: { ...param, ref: ref as string }, ref: ref as string };
}

function paramObject(action: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (action === 'connect') return { address: text.trim() };
    throw new UsageError(`the param is not JSON: ${preview(text)} (quote it in single quotes: '{"id":"..."}')`);
  }
  if (typeof value === 'string' && action === 'connect') return { address: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`the param must be a JSON object, got ${preview(text)}`);
  }
  return value as Record<string, unknown>;
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
