/** Caps the number of concurrent exchanges per peer (callers over the cap wait their turn), and the stream limits above it. */
export class PerPeerLimiter {
  private readonly limit: number
  private readonly active = new Map<string, number>()
  private readonly waiting = new Map<string, Array<() => void>>()

  constructor (limit: number) {
    this.limit = limit
  }

  /** Waits for a slot for `peer`; the returned function releases it. */
  async acquire (peer: string, signal?: AbortSignal): Promise<() => void> {
    const n = this.active.get(peer) ?? 0
    if (n < this.limit) {
      this.active.set(peer, n + 1)
      return () => {
        this.release(peer)
      }
    }
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(peer) ?? []
      const entry = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        const i = queue.indexOf(entry)
        if (i >= 0) queue.splice(i, 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(entry)
      this.waiting.set(peer, queue)
    })
    // The releasing caller handed its slot over: the count is unchanged.
    return () => {
      this.release(peer)
    }
  }

  /** Takes a slot only if one is free now. */
  tryAcquire (peer: string): (() => void) | undefined {
    const n = this.active.get(peer) ?? 0
    if (n >= this.limit) return undefined
    this.active.set(peer, n + 1)
    return () => {
      this.release(peer)
    }
  }

  private release (peer: string): void {
    const next = this.waiting.get(peer)?.shift()
    if (next !== undefined) {
      next()
      return
    }
    const n = (this.active.get(peer) ?? 1) - 1
    if (n <= 0) this.active.delete(peer)
    else this.active.set(peer, n)
    if (this.waiting.get(peer)?.length === 0) this.waiting.delete(peer)
  }
}

/**
 * libp2p's stream limits per connection and protocol, above the per-peer cap of exchanges,
 * which is enforced with a signed BUSY answer (docs/PROTOCOL.md). Both directions: libp2p
 * applies a handler's limits to the node's own outbound streams of that protocol too (and its
 * default there is 64), so a node that serves a protocol and calls it would otherwise have its
 * 65th stream cut. Twice the cap leaves room for streams still closing after their exchange; a
 * peer that ignores the cap gets BUSY up to that, and only beyond it are streams reset, which
 * bounds what one connection can make this node buffer.
 */
export function streamLimits (maxConcurrentPerPeer: number): { maxInboundStreams: number, maxOutboundStreams: number } {
  const limit = maxConcurrentPerPeer * 2 + 8
  return { maxInboundStreams: limit, maxOutboundStreams: limit }
}
