/** Cutting and healing links between nodes, for the chaos and liveness tests. */
import { ExchangeError } from '../../../src/exchange/api';
import type { Exchange } from '../../../src/exchange/exchange';

/** Drops the link from `node` to `peerId` at once, as a network fault would. */
export function dropLink(node: Exchange, peerId: string): void {
  node.network.disconnect(peerId, 'LINK_CUT');
}

/** Reconnects every pair that is not linked (a pair linked meanwhile is fine). */
export async function heal(nodes: Exchange[]): Promise<void> {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = 0; j < i; j++) {
      if (nodes[i].peers().some((p) => p.nodeId === nodes[j].nodeId)) continue;
      try {
        await nodes[i].connect('127.0.0.1', nodes[j].status().port);
      } catch (err) {
        // Both sides dialling at once resolves to one link: the loser's dial is refused.
        if (!(err instanceof ExchangeError)) throw err;
      }
    }
  }
}
