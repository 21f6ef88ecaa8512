/**
 * `p2p-exchange <node> <action> [param]`: the command scripts use instead of `pm2
 * trigger`. One request, its own reply (Pm2Client matches on process, action and
 * ref), a timeout, and an exit code a script can branch on:
 *
 *   0 ok · 1 refused or failed (nothing done) · 2 bad usage (nothing sent) ·
 *   3 outcome unknown (OUTCOME_UNKNOWN, or no reply in time) · 4 not delivered
 *
 * The reply goes to stdout as JSON, exactly as the node sent it; the client's own
 * messages go to stderr, so stdout only ever holds a node's words.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ClientError, Pm2Client } from './pm2-client';
import { buildRequest, parseArgs, USAGE, UsageError } from './request';

export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  UNKNOWN: 3,
  UNDELIVERED: 4,
} as const;

/**
 * Above the daemon's own action timeout (ACTION_TIMEOUT_MS, 30 s): a node that is
 * merely slow still answers in time, with TIMEOUT or OUTCOME_UNKNOWN if need be, which
 * says more than the client giving up.
 */
export const DEFAULT_TIMEOUT_MS = 40_000;

/** What runCli needs from the world (tests pass their own). */
export interface CliDeps {
  /** The project's root: its `.pm2` is the default pm2 home, as for `npm run pm2`. */
  projectRoot: string;
  stdout(text: string): void;
  stderr(text: string): void;
  makeRef?: () => string;
  connect?: (pm2Home: string, timeoutMs: number) => Promise<Pick<Pm2Client, 'call' | 'close'>>;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const say = (text: string) => deps.stderr(`p2p-exchange: ${text}\n`);
  let parsed: ReturnType<typeof parseArgs>;
  let request: ReturnType<typeof buildRequest>;
  try {
    parsed = parseArgs(argv);
    if (parsed.options.help) {
      deps.stdout(USAGE + '\n');
      return EXIT.OK;
    }
    request = buildRequest(parsed.args, parsed.ref, deps.makeRef ?? randomUUID);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    say(`${err.message}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  const { options } = parsed;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pm2Home = path.resolve(options.pm2Home ?? path.join(deps.projectRoot, '.pm2'));
  const connect = deps.connect ?? ((home: string, ms: number) => Pm2Client.connect(home, ms));

  let client: Pick<Pm2Client, 'call' | 'close'> | undefined;
  try {
    client = await connect(pm2Home, timeoutMs);
    const reply = await client.call(request.node, request.action, request.param, timeoutMs);
    deps.stdout(JSON.stringify(reply, null, options.pretty ? 2 : undefined) + '\n');
    return exitFor(reply);
  } catch (err) {
    if (!(err instanceof ClientError)) throw err;
    if (err.code === 'NO_REPLY') {
      say(`${err.message}; check trades / myOrders on ${request.node} (ref ${request.ref})`);
      return EXIT.UNKNOWN;
    }
    // Every other code is raised before the request reached the node: nothing was sent.
    say(err.message);
    return EXIT.UNDELIVERED;
  } finally {
    await client?.close();
  }
}

function exitFor(reply: Record<string, unknown>): number {
  if (reply.ok === true) return EXIT.OK;
  const code = (reply.error as { code?: unknown } | undefined)?.code;
  return code === 'OUTCOME_UNKNOWN' ? EXIT.UNKNOWN : EXIT.FAILED;
}

/** The process: run, write, exit once stdout has taken every byte (a pipe may lag). */
export function main(projectRoot: string): void {
  const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);
  runCli(process.argv.slice(2), { projectRoot, stdout: write(process.stdout), stderr: write(process.stderr) }).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: unknown) => {
      process.stderr.write(`p2p-exchange: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(EXIT.UNKNOWN);
    },
  );
}
