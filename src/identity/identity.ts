import { generateKeyPairSync, createPrivateKey, createPublicKey, KeyObject, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { rawPublicKey } from './keys';

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
