import { generateKeyPairSync, createPrivateKey, createPublicKey, KeyObject, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { rawPublicKey } from './keys';

/** DER prefix of an Ed25519 PKCS#8 private key; the raw 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** File in the data directory holding the node's private key (PKCS#8 PEM, mode 0600). */
export const KEY_FILE = 'node.key';

/**
 * A node's Ed25519 key pair. The node id is the raw 32-byte public key, written as 64
 * lowercase hex characters wherever it is text.
 */
export class Identity {
  readonly publicKey: Buffer;
  readonly nodeId: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = rawPublicKey(createPublicKey(privateKey));
    this.nodeId = this.publicKey.toString('hex');
  }

  static generate(): Identity {
    return new Identity(generateKeyPairSync('ed25519').privateKey);
  }

  /**
   * The key pair of a 32-byte seed: the same seed, the same node id. For the simulator
   * and tests, where a run must be the same twice; a real node's key comes from generate().
   */
  static fromSeed(seed: Uint8Array): Identity {
    if (seed.length !== 32) throw new TypeError('an Ed25519 seed is 32 bytes');
    return new Identity(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
  }

  /** Loads the key from `dataDir`, creating the directory and a new key on first start. */
  static loadOrCreate(dataDir: string): Identity {
    const file = join(dataDir, KEY_FILE);
    let pem: string | undefined;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (pem !== undefined) return new Identity(createPrivateKey(pem));
    mkdirSync(dataDir, { recursive: true });
    const id = Identity.generate();
    // Write then rename, so a crash mid-write never leaves a truncated key behind.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, id.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    renameSync(tmp, file);
    return id;
  }

  sign(data: Uint8Array): Buffer {
    return sign(null, data, this.privateKey);
  }
}
