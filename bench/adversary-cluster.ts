/**
 * The honest side of the adversary benchmark: three exchange nodes in this process on
 * loopback TCP with the daemon's defaults (tuning, limits, LMDB stores in temp dirs).
 * The maker is the victim (the attackers link to it); the two takers link to it and to
 * each other, as inbound peers of the maker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderView } from '../src/exchange/api';
import { Exchange } from '../src/exchange/exchange';

export interface Honest {
  maker: Exchange;
  takers: Exchange[];
  all: Exchange[];
  close(): Promise<void>;
}

export async function startHonest(): Promise<Honest> {
  const dirs: string[] = [];
  const start = async (): Promise<Exchange> => {
    const dir = await mkdtemp(join(tmpdir(), 'p2px-adv-'));
    dirs.push(dir);
    return Exchange.start({ port: 0, dataDir: dir });
  };
  const maker = await start();
  const takers = [await start(), await start()];
  for (const t of takers) await t.connect('127.0.0.1', maker.status().port);
  await takers[1].connect('127.0.0.1', takers[0].status().port);
  const all = [maker, ...takers];
  await Promise.all(all.map((n) => n.quiescent()));
  return {
    maker,
    takers,
    all,
    async close() {
      await Promise.all(all.map((n) => n.close()));
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** Resolves true once `node` knows order `id` (false if not within `timeoutMs`). */
export function seen(node: Exchange, id: string, timeoutMs: number): Promise<boolean> {
  if (node.order(id)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      node.off('order', on);
      resolve(ok);
    };
    const on = (o: OrderView): void => {
      if (o.id === id) done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    node.on('order', on);
  });
}

/** Resolves after `ms` (benchmark pacing and phase lengths only). */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
