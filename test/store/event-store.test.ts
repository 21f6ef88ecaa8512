/**
 * The event store's durability promise, against a real SIGKILL: an event of our own
 * written with putDurable is on disk when the call returns, even if the process dies
 * in the same turn; a plain put (peers' events) may be lost then, which is why our own
 * decisions never use it. Uses the built store (dist/, which `npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbEventStore } from '../../src/store/lmdb-store';

const BUILT = join(__dirname, '../../dist/store/lmdb-store.js');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2px-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a child that opens the store, writes with `method`, and SIGKILLs itself in the same turn. */
function writeThenDie(method: 'put' | 'putDurable'): Promise<void> {
  const script = `
    const { LmdbEventStore } = require(${JSON.stringify(BUILT)});
    const s = LmdbEventStore.open(${JSON.stringify(dir)});
    s.${method}('01a1fe4e-517d-720e-89cb-81023e990b61', { body: Buffer.from('body'), sig: Buffer.from('sig') });
    process.kill(process.pid, 'SIGKILL');`;
  return new Promise((resolve) => execFile(process.execPath, ['-e', script], () => resolve()));
}

test('putDurable survives a SIGKILL right after it returns; a plain put does not', async () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);
  await writeThenDie('putDurable');
  let store = LmdbEventStore.open(dir);
  expect([...store.all()].map((e) => Buffer.from(e.body).toString())).toEqual(['body']);
  await store.close();

  await rm(dir, { recursive: true, force: true });
  await writeThenDie('put');
  store = LmdbEventStore.open(dir);
  expect(store.size).toBe(0); // lmdb commits after the turn: the kill came first
  await store.close();
});
