/**
 * A daemon process exactly as dist/main.js will be (src/operator/daemon.ts `main`),
 * but over the in-memory FakeExchange, so the whole pm2 layer (config, ready,
 * actions, logs, metrics, shutdown) is tested under real pm2 before the real
 * exchange exists. Started by test/operator/pm2-operator.test.ts.
 */
import { main } from '../../../src/operator/daemon';
import { FakeExchange, HANG_ORDER, OTHER, SLOW_ORDER, SLOW_ORDER_MS, UNANSWERED_ORDER } from './fake-exchange';

void main(async (opts) => {
  const ex = new FakeExchange();
  ex.port = opts.port === 0 || opts.port === undefined ? 40000 + (process.pid % 20000) : opts.port;
  ex.reachable.set('127.0.0.1:3999', OTHER);
  // The real node's listening socket keeps its process alive; the fake has none, and
  // under pm2 (whose IPC channel is unref'd) the process would simply end.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const close = ex.close.bind(ex);
  ex.close = async () => {
    clearInterval(keepAlive);
    await close();
  };
  const log = opts.log!;
  // Report events the way the real node will, so the test can find them in pm2's logs.
  const place = ex.place.bind(ex);
  ex.place = async (input) => {
    const r = await place(input);
    if (r.order) log.info('order.added', { id: r.order.id, owner: r.order.owner, side: r.order.side, price: r.order.price, amount: r.order.amount });
    return r;
  };
  const accept = ex.accept.bind(ex);
  ex.accept = async (orderId, amount) => {
    if (orderId === HANG_ORDER) return new Promise<never>(() => undefined);
    if (orderId === SLOW_ORDER) {
      await new Promise((resolve) => setTimeout(resolve, SLOW_ORDER_MS));
      return { orderId, requested: amount ?? 1, filled: 0, trade: null, reason: 'PARTIAL' };
    }
    if (orderId !== UNANSWERED_ORDER) return accept(orderId, amount);
    const o = ex.addForeign('sell', 5_000_000, amount ?? 100_000_000);
    ex.unansweredNext();
    return { ...(await accept(o.id, amount)), orderId };
  };
  const connect = ex.connect.bind(ex);
  ex.connect = async (host, port) => {
    const peer = await connect(host, port);
    log.info('peer.connected', { peer: peer.nodeId, addr: `${host}:${port}`, dir: peer.direction });
    return peer;
  };
  return ex;
});
