/**
 * The attacker process: one attack, driven by the main process over IPC, so that the
 * attacker's own work (signing, key generation, socket churn) does not run on the
 * victim's event loop. Messages in: prepare {port, victimId, params}, go, stop. Out:
 * ready, anything the attack posts, then report {counts}. It stops by itself after
 * MAX_ATTACK_MS, and when the main process goes away.
 */
import type { AttackContext } from './adversary-attack';
import { ATTACKS, type FromChild, type ToChild } from './adversary-attacks';

/** No attack phase is longer than this: a lost main process cannot leave a flood running. */
const MAX_ATTACK_MS = 120_000;

function main(): void {
  const name = process.argv[2];
  const make = ATTACKS[name];
  if (!make || !process.send) {
    console.error(`usage: fork with IPC and one of ${Object.keys(ATTACKS).join(', ')}`);
    process.exit(2);
  }
  const attack = make();
  const send = (m: FromChild): void => void process.send?.(m);
  let stop!: () => void;
  let stopped = false;
  const stopping = new Promise<void>((r) => (stop = r)).then(() => void (stopped = true));
  let ctx: AttackContext | null = null;
  process.on('disconnect', () => stop());
  process.on('message', (m: ToChild) => {
    if (m.cmd === 'prepare') {
      ctx = { port: m.port, victimId: m.victimId, params: m.params, stopped: () => stopped, stopping, post: send };
      const c = ctx;
      void (async () => {
        await attack.prepare?.(c);
        send({ ready: true });
      })().catch((err) => send({ failed: String(err) }));
    } else if (m.cmd === 'go' && ctx) {
      const bound = setTimeout(() => stop(), MAX_ATTACK_MS);
      void attack
        .run(ctx)
        .then((counts) => send({ report: counts }), (err) => send({ failed: String(err) }))
        .finally(async () => {
          clearTimeout(bound);
          await attack.close?.();
          process.disconnect?.();
        });
    } else if (m.cmd === 'stop') stop();
  });
}

main();
