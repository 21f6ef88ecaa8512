import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetNode, NetOptions } from '../../../src/net/node';

/** Settings that make a test network converge in milliseconds instead of seconds. */
export const FAST: NetOptions = {
  backoff: { baseMs: 20, maxMs: 200 },
  handshakeTimeoutMs: 2000,
};

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'p2px-net-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** True when every node reaches every other over current links. */
export function isConnectedGraph(nodes: NetNode[]): boolean {
  if (nodes.length === 0) return true;
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const reached = new Set([nodes[0].nodeId]);
  const queue = [nodes[0]];
  while (queue.length) {
    for (const p of queue.shift()!.peers()) {
      const n = byId.get(p.nodeId);
      if (n && !reached.has(n.nodeId)) {
        reached.add(n.nodeId);
        queue.push(n);
      }
    }
  }
  return reached.size === nodes.length;
}

export function degrees(nodes: NetNode[]): number[] {
  return nodes.map((n) => n.peers().length);
}

/**
 * Resolves once the network is quiet: every queue flushed, and `extra()` holds while
 * the frame counters stayed unchanged over three loop turns (so a frame still in a
 * kernel buffer gets read first). A sync point, not a sleep.
 */
export async function settle(nodes: NetNode[], extra: () => boolean = () => true, maxRounds = 5000): Promise<void> {
  let stable = 0;
  let last = '';
  for (let round = 0; round < maxRounds; round++) {
    await Promise.all(nodes.map((n) => n.flush()));
    await new Promise<void>((r) => setImmediate(r));
    const now = nodes.map((n) => `${n.stats().framesOut}/${n.stats().framesIn}`).join();
    stable = now === last && extra() ? stable + 1 : 0;
    last = now;
    if (stable >= 3) return;
  }
  throw new Error(`network did not settle: ${last}`);
}
