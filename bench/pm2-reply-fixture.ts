/**
 * The tiny process bench/pm2-reply-deferral.ts runs under pm2: our real
 * registerActions() (src/operator/register.ts) with one action, `ping`, that answers
 * at once, so the only thing between the request and the reply is the deferral under
 * test (REPLY_DELAY_MS). No exchange: `ping` never touches it.
 */
import type { ExchangeApi } from '../src/exchange/api';
import { silentLogger } from '../src/log/logger';
import { registerActions, type ActionRegistry } from '../src/operator/register';
import { ok } from '../src/operator/reply';

const delay = Number(process.env.REPLY_DELAY_MS ?? '20');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const io = require('@pm2/io') as ActionRegistry;
let n = 0;
registerActions(io, {} as ExchangeApi, {
  replyDelayMs: delay,
  actionTimeoutMs: 10_000,
  log: silentLogger,
  actions: { ping: async () => ok({ pong: ++n }) },
});
process.send?.('ready');
// Nothing else keeps the process alive outside pm2's IPC channel; keep it up until stopped.
setInterval(() => undefined, 1 << 30);
process.on('SIGINT', () => process.exit(0));
