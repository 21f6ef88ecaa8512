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
 * - on close, requests still in flight are answered SHUTTING_DOWN at once.
 */
import type { ExchangeApi } from '../exchange/api';
import type { Logger } from '../log/logger';
import { ACTIONS, runAction, type ActionHandler } from './actions';
import { fail, OperatorCode, type Reply } from './reply';
import { realTimers, type Timers } from './timers';

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
  /** Answers every request still in flight (SHUTTING_DOWN) and refuses new ones. */
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

  function handle(name: string, handler: ActionHandler, param: unknown, reply: ReplyFn): void {
    const started = timers.now();
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
      logReply(opts.log, name, answer, timers.now() - started);
      try {
        reply(answer);
      } catch (err) {
        // @pm2/io's transport can throw once the IPC channel is gone; nothing to reply to.
        opts.log.warn('action.reply_failed', { action: name, error: errorText(err) });
      }
    };

    /** The first answer wins; later ones (a result after TIMEOUT) are only logged. */
    const settle = (r: Reply): void => {
      if (answer !== undefined) {
        opts.log.warn('action.late', { action: name, ok: r.ok, code: r.ok ? undefined : r.error.code });
        return;
      }
      answer = r;
      timers.clearTimeout(timeoutTimer);
      const wait = Math.max(0, opts.replyDelayMs - (timers.now() - started));
      deliverTimer = timers.setTimeout(deliver, wait);
    };

    const request: Request = {
      flush: () => {
        if (answer === undefined) {
          answer = fail(OperatorCode.SHUTTING_DOWN, `${name}: the node is shutting down; the request may not have been carried out`);
        }
        deliver();
      },
    };
    inFlight.add(request);

    if (closed) {
      settle(fail(OperatorCode.SHUTTING_DOWN, `${name}: the node is shutting down`));
      return;
    }
    timeoutTimer = timers.setTimeout(() => {
      settle(
        fail(
          OperatorCode.TIMEOUT,
          `${name}: no answer within ${opts.actionTimeoutMs} ms; it may still complete (check trades/myOrders)`,
        ),
      );
    }, opts.actionTimeoutMs);

    // runAction never rejects; the extra catch guards against a bug in it all the same,
    // because an unhandled rejection here is exactly the hang we exist to prevent.
    runAction(handler, exchange, param).then(settle, (err: unknown) =>
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

function logReply(log: Logger, action: string, reply: Reply, ms: number): void {
  if (reply.ok) {
    log.info('action', { action, ok: true, ms });
  } else if (reply.error.code === OperatorCode.INTERNAL || reply.error.code === OperatorCode.TIMEOUT) {
    log.warn('action', { action, ok: false, code: reply.error.code, ms, message: reply.error.message });
  } else {
    log.info('action', { action, ok: false, code: reply.error.code, ms });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
