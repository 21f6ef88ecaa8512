/**
 * Several exchange nodes in one test process on real loopback sockets (port 0), with
 * short liveness/deadline tuning, and a network-wide quiescence wait that replaces
 * sleeping: every node settles its own work, then we check that no frame moved
 * anywhere during a full round.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Exchange, type ExchangeStartOptions, type ExchangeTuning } from '../../../src/exchange/exchange';

export const FAST: Partial<ExchangeTuning> = {
  acceptTimeoutMs: 2_000,
  clockBoundMs: 1_000,
  heartbeatMs: 200,
  staleAfterMs: 1_500,
  lateHoldMs: 1_500,
};

export interface Cluster {
  nodes: Exchange[];
  /** The data directory a node was started with (restart it there to keep its key). */
  dirOf(node: Exchange): string;
  start(opts?: Partial<ExchangeStartOptions>): Promise<Exchange>;
  close(): Promise<void>;
}

export async function cluster(n: number, opts: Partial<ExchangeStartOptions> = {}): Promise<Cluster> {
  const dirs: string[] = [];
  const nodes: Exchange[] = [];
  const dirOf = new Map<Exchange, string>();
  const start = async (more: Partial<ExchangeStartOptions> = {}): Promise<Exchange> => {
    const dir = more.dataDir ?? (await mkdtemp(join(tmpdir(), 'p2px-')));
    dirs.push(dir);
    const node = await Exchange.start({ port: 0, ...opts, ...more, dataDir: dir, tuning: { ...FAST, ...opts.tuning, ...more.tuning } });
    nodes.push(node);
    dirOf.set(node, dir);
    return node;
  };
  for (let i = 0; i < n; i++) await start();
  return {
    nodes,
    start,
    dirOf: (n) => dirOf.get(n)!,
    async close() {
      await Promise.all(nodes.map((x) => x.close()));
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** Connects every node to every earlier one and waits for the book syncs to land. */
export async function mesh(nodes: Exchange[]): Promise<void> {
  for (let i = 1; i < nodes.length; i++) {
    for (let j = 0; j < i; j++) {
      if (nodes[i].peers().some((p) => p.nodeId === nodes[j].nodeId)) continue;
      await nodes[i].connect('127.0.0.1', nodes[j].status().port);
    }
  }
  await settle(nodes);
}

/** Everything a node has done on the network, except keepalive pings (the barrier itself). */
function traffic(nodes: Exchange[]): string {
  return nodes
    .map((n) => {
      const s = n.network.stats();
      return [s.published, s.eventsIn, s.eventsOut, s.eventsDuplicate, s.eventsInvalid, s.eventsStale, s.syncEventsIn, s.syncEventsOut, s.peers].join('.');
    })
    .join(',');
}

/**
 * Resolves once the whole network is quiet: every node has nothing in flight and has
 * seen every frame it sent handled (a round trip on each link), and a full such round
 * changed no node's event counters — so no event is left anywhere to be handled.
 */
export async function settle(nodes: Exchange[], maxRounds = 500): Promise<void> {
  let last = '';
  for (let round = 0; round < maxRounds; round++) {
    await Promise.all(nodes.map((n) => n.quiescent()));
    const now = traffic(nodes);
    if (now === last) return;
    last = now;
  }
  throw new Error('network did not settle');
}

/** Waits for one event, failing the test instead of hanging if it never comes. */
export async function next<T extends unknown[]>(emitter: NodeJS.EventEmitter, event: string, timeoutMs = 10_000): Promise<T> {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), timeoutMs);
  try {
    return (await once(emitter, event, { signal: ac.signal })) as T;
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`timed out waiting for "${event}"`);
    throw err;
  } finally {
    clearTimeout(t);
  }
}
