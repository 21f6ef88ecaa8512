/**
 * Registers the actions with @pm2/io so that each request gets exactly one reply,
 * whatever happens:
 * - the handler never throws (a throw inside an @pm2/io action crashes the daemon and
 *   pm2 restarts it with its memory lost) and its promise never rejects (a rejection
 *   is swallowed and `pm2 trigger` then waits forever);
 * - an exchange call that never settles is answered TIMEOUT after `actionTimeoutMs`,
 *   because the pm2 CLI has no timeout of its own;
 * - the reply is sent no sooner than `replyDelayMs` after the request: the CLI learns
 *   how many replies to wait for from an RPC answer that races the reply on the bus,
 *   and a reply that wins the race is counted but never matched, leaving the CLI
 *   hung (Unitech/pm2#3786; measured in bench/pm2-reply-deferral.ts, docs/OPERATOR.md);
 * - on close, requests still in flight are answered at once: OUTCOME_UNKNOWN when a
 *   change was already handed to the exchange (it may still complete), else
 *   SHUTTING_DOWN; the action timeout answers the same way (OUTCOME_UNKNOWN or TIMEOUT);
 * - every reply names the action it answers and echoes the caller's `ref` (ref.ts),
 *   because pm2 gives each reply to every listener of the process.
 */
import type { ExchangeApi } from '../exchange/api';
import type { Logger } from '../log/logger';
import { ACTIONS, runAction, type ActionHandler } from './actions';
import { cutChangeReply, type CutCause } from './outcome';
import { splitRef } from './ref';
import { errorReply, fail, OperatorCode, stamp, type Reply } from './reply';
import { realTimers, type Timers } from './timers';
import { trackExchange } from './tracked-exchange';

export type ReplyFn = (data: unknown) => void;
/**
 * Exactly two declared parameters: @pm2/io passes the param only to handlers whose
 * `length` is 2 (a default value would make it 1, and the reply function would then
 * arrive as `param`).
 */
export type PmActionHandler = (param: unknown, reply: ReplyFn) => void;

/** The part of @pm2/io this module uses (a fake in tests). */
export interface ActionRegistry {
  action(name: string, handler: PmActionHandler): void;
}

export interface RegisterOptions {
  replyDelayMs: number;
  actionTimeoutMs: number;
  log: Logger;
  timers?: Timers;
  /** Defaults to every action in ACTIONS. */
  actions?: Readonly<Record<string, ActionHandler>>;
}

export interface Registration {
  /** Answers every request still in flight (OUTCOME_UNKNOWN or SHUTTING_DOWN) and refuses new ones. */
  close(): void;
  /** Requests received but not yet answered (tests, shutdown log). */
  readonly inFlight: number;
}

interface Request {
  /** Deliver now (shutdown) instead of waiting out the deferral. */
  flush(): void;
}

export function registerActions(io: ActionRegistry, exchange: ExchangeApi, opts: RegisterOptions): Registration {
  const timers = opts.timers ?? realTimers;
  const table = opts.actions ?? ACTIONS;
  const inFlight = new Set<Request>();
  let closed = false;

  function handle(name: string, handler: ActionHandler, raw: unknown, reply: ReplyFn): void {
    const started = timers.now();
    const tracked = trackExchange(exchange);
    let ref: string | undefined;
    let answer: Reply | undefined;
    let deliverTimer: unknown;
    let timeoutTimer: unknown;
    let delivered = false;

    const deliver = (): void => {
      if (delivered || answer === undefined) return;
      delivered = true;
      inFlight.delete(request);
      timers.clearTimeout(deliverTimer);
      timers.clearTimeout(timeoutTimer);
      logReply(opts.log, name, ref, answer, timers.now() - started);
      try {
        reply(stamp(answer, name, ref));
      } catch (err) {
        // @pm2/io's transport can throw once the IPC channel is gone; nothing to reply to.
        opts.log.warn('action.reply_failed', { action: name, ref, error: errorText(err) });
      }
    };

    /** The first answer wins; a later one (the result after a cut) is only logged. */
    const settle = (r: Reply): void => {
      if (answer !== undefined) {
        opts.log.warn('action.late', { action: name, ref, ...lateSummary(r) });
        return;
      }
      answer = r;
      timers.clearTimeout(timeoutTimer);
      const wait = Math.max(0, opts.replyDelayMs - (timers.now() - started));
      deliverTimer = timers.setTimeout(deliver, wait);
    };

    /**
     * The answer when shutdown or the timeout cuts the request short: if a change was
     * handed to the exchange it may still complete (OUTCOME_UNKNOWN, with what to
     * check); otherwise nothing was done and the plain code says so.
     */
    const cut = (cause: CutCause): Reply => {
      const call = tracked.started();
      if (call !== undefined) return cutChangeReply(name, call, cause, opts.actionTimeoutMs);
      return cause === 'TIMEOUT'
        ? fail(OperatorCode.TIMEOUT, `${name}: no answer within ${opts.actionTimeoutMs} ms`)
        : fail(OperatorCode.SHUTTING_DOWN, `${name}: the node is shutting down; nothing was done`);
    };

    const request: Request = {
      flush: () => {
        if (answer === undefined) answer = cut('SHUTTING_DOWN');
        deliver();
      },
    };
    inFlight.add(request);

    let param: unknown;
    try {
      ({ param, ref } = splitRef(raw));
    } catch (err) {
      settle(errorReply(err));
      return;
    }
    if (closed) {
      settle(fail(OperatorCode.SHUTTING_DOWN, `${name}: the node is shutting down; nothing was done`));
      return;
    }
    timeoutTimer = timers.setTimeout(() => settle(cut('TIMEOUT')), opts.actionTimeoutMs);

    // runAction never rejects; the extra catch guards against a bug in it all the same,
    // because an unhandled rejection here is exactly the hang we exist to prevent.
    runAction(handler, tracked.exchange, param).then(settle, (err: unknown) =>
      settle(fail(OperatorCode.INTERNAL, `internal error: ${errorText(err)}`)),
    );
  }

  for (const [name, handler] of Object.entries(table)) {
    const onTrigger: PmActionHandler = function (param: unknown, reply: ReplyFn): void {
      try {
        handle(name, handler, param, reply);
      } catch (err) {
        // Only reachable through a bug in handle(); still never let it crash the daemon.
        opts.log.warn('action.internal', { action: name, error: errorText(err) });
        try {
          reply(fail(OperatorCode.INTERNAL, `internal error: ${errorText(err)}`));
        } catch {
          /* nothing left to tell */
        }
      }
    };
    if (onTrigger.length !== 2) throw new Error('pm2 action handlers must declare exactly (param, reply)');
    io.action(name, onTrigger);
  }

  return {
    close(): void {
      closed = true;
      for (const r of [...inFlight]) r.flush();
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}

/** Codes an operator should notice in the log: a bug, a stuck exchange, an unknown outcome. */
const WARN_CODES: ReadonlySet<string> = new Set([OperatorCode.INTERNAL, OperatorCode.TIMEOUT, OperatorCode.OUTCOME_UNKNOWN]);

function logReply(log: Logger, action: string, ref: string | undefined, reply: Reply, ms: number): void {
  if (reply.ok) {
    log.info('action', { action, ref, ok: true, ms });
  } else if (WARN_CODES.has(reply.error.code)) {
    log.warn('action', { action, ref, ok: false, code: reply.error.code, cause: reply.error.cause, ms, message: reply.error.message });
  } else {
    log.info('action', { action, ref, ok: false, code: reply.error.code, ms });
  }
}

/**
 * What a result that came after its request was cut short says, for the log line that
 * is the caller's only news of it: the ref ties it to the OUTCOME_UNKNOWN reply, and
 * the ids and amounts say what was done.
 */
function lateSummary(r: Reply): Record<string, unknown> {
  if (!r.ok) return { ok: false, code: r.error.code };
  const out: Record<string, unknown> = { ok: true };
  const order = r.order as { id?: unknown } | null | undefined;
  const trade = r.trade as { id?: unknown } | null | undefined;
  const peer = r.peer as { address?: unknown } | undefined;
  if (typeof order?.id === 'string') out.order = order.id;
  if (typeof trade?.id === 'string') out.trade = trade.id;
  if (typeof r.filledSats === 'number') out.filled = r.filledSats;
  if (typeof peer?.address === 'string') out.peer = peer.address;
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
