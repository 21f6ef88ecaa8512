/**
 * Valid signed order events, made afresh from captured ones. The attacker owns its keys,
 * so it can sign whatever it mutates: a re-signed event passes the signature check and
 * the time window and reaches the exchange's own checks (shape, owner, embedded add and
 * accept, amounts) — the deepest code a peer's bytes can reach. Owner updates embed the
 * order's add, confirms the taker's accept: both are re-signed too, by the key that must
 * have signed them, and every id that named the captured ones is renamed.
 */
import { SeededRandom } from '../src/clock/seeded-random';
import { signEvent } from '../src/gossip/event';
import { Identity } from '../src/identity/identity';
import { MAX_EVENT_TS } from '../src/wire/event-body';
import { decodeStrict } from '../src/wire/strict-decode';
import { encodeAst, parseAst } from './ast';
import { MUTATOR_NAMES, mutateTree, SEMANTIC, within } from './mutate';

/** A captured event's kind and payload: what re-signing starts from. */
export interface EventTemplate {
  kind: string;
  ts: number;
  data: Record<string, unknown>;
}

export interface Forged {
  kind: string;
  id: string;
  body: Buffer;
  sig: Buffer;
  /** What was mutated (empty: a valid event). */
  done: string[];
}

/** Keys the attacker signs events with (independent of the keys its links handshake with). */
export interface Keyring {
  owners: Identity[];
  takers: Identity[];
}

/** Orders and accepts the attacker made earlier: later owner updates and accepts refer to them. */
export interface AttackMemory {
  adds: Array<{ id: string; body: Buffer; sig: Buffer; owner: number; amount: number }>;
  accepts: string[];
}

/**
 * Remembered adds and accepts. Enough for updates to land on orders the node already
 * holds (seq races, equivocation, overfill across updates) without the memory
 * growing with the run.
 */
export const MEMORY_SIZE = 64;
/** Keys per role: few, so updates and accepts keep meeting the same owners. */
export const KEYS_PER_ROLE = 4;

export interface ForgeContext {
  rng: SeededRandom;
  /** The node's clock now. */
  now: number;
  /** How far back and ahead of `now` the node takes an event's ts. */
  window: { pastMs: number; aheadMs: number };
  keys: Keyring;
  memory: AttackMemory;
  /** The node's own open orders: accepts of them make it decide and publish a confirm. */
  targetOrders: ReadonlyArray<{ id: string; amount: number }>;
}

export function keyring(seed: string): Keyring {
  const rng = new SeededRandom(`keys:${seed}`);
  const make = () => Identity.fromSeed(rng.bytes(32));
  return { owners: Array.from({ length: KEYS_PER_ROLE }, make), takers: Array.from({ length: KEYS_PER_ROLE }, make) };
}

export function newMemory(): AttackMemory {
  return { adds: [], accepts: [] };
}

/** Reads a captured event body into a template; null if it is not one. */
export function templateOf(body: Uint8Array): EventTemplate | null {
  const v = decodeStrict(body) as { kind?: unknown; ts?: unknown; data?: unknown };
  if (typeof v.kind !== 'string' || typeof v.ts !== 'number' || v.data === null || typeof v.data !== 'object') return null;
  return { kind: v.kind, ts: v.ts, data: v.data as Record<string, unknown> };
}

function remember<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MEMORY_SIZE) list.shift();
}

function pick<T>(rng: SeededRandom, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

/** Mostly now; sometimes just inside or just outside the window, or absurd. */
function chooseTs(ctx: ForgeContext): number {
  const { now, window, rng } = ctx;
  if (rng.int(10) > 0) return now;
  return pick(rng, [now - window.pastMs - 1, now - window.pastMs + 1000, now + window.aheadMs - 1, now + window.aheadMs + 1, 0, MAX_EVENT_TS]);
}

function sign(identity: Identity, kind: string, data: Record<string, unknown>, ts: number, rng: SeededRandom): { id: string; body: Buffer; sig: Buffer } {
  const ev = signEvent(identity, kind, data, ts, rng.bytes(16));
  return { id: ev.id, body: Buffer.from(ev.raw.body), sig: Buffer.from(ev.raw.sig) };
}

/**
 * Mutates a signed body's tree (mostly its `data`) and signs the result with `identity`
 * (or, now and then, keeps the old signature or sends noise: a forgery).
 */
function mutateSigned(signed: { body: Buffer; sig: Buffer }, identity: Identity, rng: SeededRandom, done: string[], label: string): { body: Buffer; sig: Buffer } {
  const tree = parseAst(signed.body);
  // Half the time only mutations that keep the body readable, so the exchange's own
  // checks (not just the reader) see it.
  const m = mutateTree(tree, rng, 3, rng.int(4) > 0 ? within('data') : undefined, rng.int(2) === 0 ? SEMANTIC : MUTATOR_NAMES);
  let body: Buffer;
  try {
    body = encodeAst(m.tree);
  } catch {
    return signed; // a header that cannot hold the mutation: nothing changed
  }
  done.push(...m.done.map((d) => `${label}:${d}`));
  const r = rng.int(20);
  if (r === 0) {
    done.push(`${label}:staleSig`);
    return { body, sig: signed.sig };
  }
  if (r === 1) {
    done.push(`${label}:noiseSig`);
    return { body, sig: rng.bytes(64) };
  }
  return { body, sig: identity.sign(body) };
}

/**
 * A fresh signed event from a template. `mutate`: probability of mutating the outer
 * body; embedded bodies are mutated a quarter as often.
 */
export function forge(tpl: EventTemplate, ctx: ForgeContext, mutate: number): Forged {
  const { rng, keys, memory } = ctx;
  const done: string[] = [];
  const ts = chooseTs(ctx);
  if (ts !== ctx.now) done.push(`ts:${ts - ctx.now}`);
  const ownerIx = rng.int(keys.owners.length);
  let signer = keys.owners[ownerIx];
  let data: Record<string, unknown> = { ...tpl.data };
  const embedded = (s: { body: Buffer; sig: Buffer }, who: Identity, label: string) =>
    rng.random() < mutate / 4 ? mutateSigned(s, who, rng, done, label) : s;

  switch (tpl.kind) {
    case 'order.add':
    case 'node.heartbeat':
      break;
    case 'order.accept': {
      signer = pick(rng, keys.takers);
      const r = rng.int(4);
      const target = ctx.targetOrders.length > 0 && r < 2 ? pick(rng, ctx.targetOrders) : null;
      const mine = memory.adds.length > 0 && r === 2 ? pick(rng, memory.adds) : null;
      if (target) data = { ...data, order: target.id, amount: Math.max(1, Math.min(Number(data.amount) || 1, target.amount)) };
      else if (mine) data = { ...data, order: mine.id, amount: Math.max(1, Math.min(Number(data.amount) || 1, mine.amount)) };
      const wait = typeof data.deadline === 'number' ? data.deadline - tpl.ts : 5000;
      data.deadline = Math.max(0, ts + Math.max(0, Math.min(60_000, wait)));
      break;
    }
    case 'order.confirm':
    case 'order.fill':
    case 'order.cancel': {
      // The order: a fresh add by this owner (from the embedded one), or one made earlier.
      const prior = memory.adds.length > 0 && rng.int(2) === 0 ? pick(rng, memory.adds) : null;
      let add: { id: string; body: Buffer; sig: Buffer; amount: number };
      if (prior) {
        signer = keys.owners[prior.owner];
        add = prior;
      } else {
        const inner = templateOf(data.add as Uint8Array);
        if (!inner) break;
        add = { ...sign(signer, inner.kind, inner.data, ts, rng), amount: Number(inner.data.amount) };
        remember(memory.adds, { ...add, owner: ownerIx });
      }
      const a = embedded(add, signer, 'add');
      data = { ...data, order: add.id, add: a.body, addSig: a.sig };
      if (prior) {
        // Keep the update consistent with the earlier order it now names: at least 1
        // filled, never more than its amount, a grant or fill within what is filled.
        const filled = Math.min(Math.max(Number(data.filled) || 0, 1), add.amount);
        data.filled = filled;
        if (typeof data.amount === 'number') data.amount = Math.max(tpl.kind === 'order.fill' ? 1 : 0, Math.min(data.amount, filled));
        if (data.status !== 'cancelled') data.status = filled === add.amount ? 'filled' : 'open';
        data.seq = 1 + rng.int(4);
      }
      if (tpl.kind === 'order.confirm') {
        const taker = pick(rng, keys.takers);
        const inner = templateOf(data.acceptBody as Uint8Array);
        if (!inner) break;
        const acc = sign(taker, 'order.accept', { ...inner.data, order: add.id, deadline: ts + 5000 }, ts, rng);
        remember(memory.accepts, acc.id);
        const e = embedded(acc, taker, 'accept');
        data = { ...data, accept: acc.id, taker: taker.publicKey.toString('hex'), acceptBody: e.body, acceptSig: e.sig };
      } else if (tpl.kind === 'order.fill' && memory.accepts.length > 0 && rng.int(2) === 0) {
        data.trade = pick(rng, memory.accepts);
      }
      break;
    }
    default:
      break;
  }
  let signed: { id: string; body: Buffer; sig: Buffer };
  try {
    signed = sign(signer, tpl.kind, data, ts, rng);
  } catch {
    // A template whose data the encoder refuses cannot be re-signed: send a heartbeat.
    signed = sign(signer, 'node.heartbeat', {}, ts, rng);
  }
  if (tpl.kind === 'order.add') remember(memory.adds, { ...signed, owner: ownerIx, amount: Number(data.amount) });
  if (tpl.kind === 'order.accept') remember(memory.accepts, signed.id);
  const out = rng.random() < mutate ? mutateSigned(signed, signer, rng, done, 'body') : signed;
  return { kind: tpl.kind, id: signed.id, body: out.body, sig: out.sig, done };
}
