/**
 * Bytes that are kept (an event's body and signature, the seen-set's copy of a
 * signature) must own their memory. Node's `Buffer.from(buf)` and `allocUnsafe` cut
 * small buffers out of a shared 8 KiB pool, and msgpackr's `pack` returns a view into
 * its own reusable buffer (which grows to the largest message packed, ~1 MiB after a
 * book sync): a 64-byte signature kept from either pins the whole block behind it.
 * Measured in the simulator before this (60 nodes, 2 simulated minutes): 30,088 pool
 * blocks of 8 KiB held by a few bytes each, 246 MB of the 355 MB of buffers alive, so
 * the memory a node spent on what it remembers was up to a hundred times what the
 * counted bounds (seen-set size, book size) say.
 */

/** A copy of `bytes` in memory of its own, exactly as long. */
export function ownBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.byteLength);
  out.set(bytes);
  return out;
}

/** Copies of `a` and `b` sharing one allocation of their own (one event's body and signature). */
export function ownPair(a: Uint8Array, b: Uint8Array): [Buffer, Buffer] {
  const out = Buffer.allocUnsafeSlow(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return [out.subarray(0, a.byteLength), out.subarray(a.byteLength)];
}
