import { Identity } from '../../src/identity/identity';
import { PeerManager } from '../../src/peer/manager';
import { memoryManager } from './support/config';
import { duplexPair } from './support/duplex-pair';
import { RawPeer } from './support/raw-peer';

let m: PeerManager;
afterEach(() => m.close());

test('after the handshake a node sends its known peers; learned addresses are validated', async () => {
  // targetOutbound 0: learn, but do not dial (no sockets in this test).
  m = memoryManager({ targetOutbound: 0 });
  const known = Identity.generate().nodeId;
  m.book.succeeded('10.1.1.1', 4001, known, Date.now());
  const [ours, theirs] = duplexPair();
  m.attach(ours, 'inbound', '10.0.0.9', 50000);
  const raw = new RawPeer(theirs);
  await raw.handshake(Identity.generate(), 4000);
  const peers = await raw.nextOf('peers');
  expect(peers?.peers.map((p) => `${Buffer.from(p.id).toString('hex')}@${p.host}:${p.port}`)).toEqual([`${known}@10.1.1.1:4001`]);

  const id = () => Identity.generate().publicKey;
  raw.send({
    t: 'peers',
    peers: [
      { id: id(), host: '10.2.2.2', port: 5000 }, // fine
      { id: id(), host: 'evil.example.com', port: 5000 }, // names are never resolved
      { id: id(), host: '10.2.2.3', port: 0 }, // no port
      { id: id(), host: '0.0.0.0', port: 5000 }, // "any" is not an address
      { id: m.cfg.identity.publicKey, host: '10.2.2.4', port: 5000 }, // ourselves
    ],
  });
  // A ping after it: the pong proves the peers message was handled (frames are handled in order).
  raw.send({ t: 'ping', n: 99 });
  expect((await raw.nextOf('pong'))?.n).toBe(99);
  const hosts = m.book.all().map((p) => `${p.host}:${p.port}`).sort();
  // The inbound peer's own listen address (its hello port) is learned too, but only as a
  // claim: in "new", told by the peer itself. Only a handshake on a link we dialled verifies.
  expect(hosts).toEqual(['10.0.0.9:4000', '10.1.1.1:4001', '10.2.2.2:5000']);
  expect(m.book.get('10.0.0.9', 4000)).toMatchObject({ verified: false, table: 'new', source: 'local:10/8' });
  // What it told us lands in "new" with the sender's group as the source.
  expect(m.book.get('10.2.2.2', 5000)).toMatchObject({ verified: false, table: 'new', source: 'local:10/8' });
});
