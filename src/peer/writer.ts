import type { Duplex } from 'node:stream';

/**
 * The one place that writes to a peer's stream. It counts the bytes handed to the
 * stream and not yet written out; when a write would take that past the bound, it
 * refuses and reports an overflow, so a peer that does not read can never grow our
 * memory (the connection then drops it).
 */
export class FrameWriter {
  private queued = 0;
  private closed = false;
  private destroyed = false;
  private drainWaiters: Array<{ below: number; resolve: () => void }> = [];

  constructor(
    private readonly stream: Duplex,
    readonly maxQueuedBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  /** Bytes accepted by `write` that the stream has not yet written out. */
  get bytesQueued(): number {
    return this.queued;
  }

  /** Queues a frame; false when the writer is closed or the frame would overflow it. */
  write(frame: Buffer): boolean {
    if (this.closed) return false;
    if (this.queued + frame.length > this.maxQueuedBytes) {
      this.onOverflow();
      return false;
    }
    this.queued += frame.length;
    // The callback runs once the bytes left the process (or the stream died).
    this.stream.write(frame, () => this.written(frame.length));
    return true;
  }

  /** Writes a last frame (if any) and half-closes the stream after it. */
  end(frame?: Buffer): void {
    if (this.closed) return;
    if (frame && this.queued + frame.length <= this.maxQueuedBytes) this.write(frame);
    this.closed = true;
    this.stream.end();
  }

  /** Resolves once at most `below` bytes are queued (0 = everything written) or the writer closed. */
  waitQueuedBelow(below = 0): Promise<void> {
    if (this.queued <= below || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below, resolve }));
  }

  /** Called when the stream is gone: nothing more will be written, nobody waits. */
  release(): void {
    this.closed = true;
    this.destroyed = true;
    this.queued = 0;
    this.wake();
  }

  private written(n: number): void {
    if (this.destroyed) return;
    this.queued -= n;
    this.wake();
  }

  private wake(): void {
    if (this.drainWaiters.length === 0) return;
    const still: typeof this.drainWaiters = [];
    for (const w of this.drainWaiters) (this.queued <= w.below || this.destroyed ? w.resolve() : still.push(w));
    this.drainWaiters = still;
  }
}
