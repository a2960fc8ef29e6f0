/**
 * One access record per reader, learner and purpose per window, instead of one per read.
 *
 * Every read of a learner's data is appended to the reading node's append-only, witnessed log
 * before the answer goes out, so that the learner sees who read what. Appended per request,
 * that lets anyone who can make reads happen (a signed-in learner reloading a page, the holder
 * of a share link) grow every source's log without bound: 100 requests to the portal were 100
 * entries at each of the learner's institutions and at the index (attack review, FINDING 3).
 *
 * So a source records the first read of a kind (same reader node, role, learner, operation,
 * purpose and legal basis) and lets it stand for the reads of the same data that follow within
 * `windowMs` of it. A read that discloses anything the window has not recorded yet (another
 * result, a newer version) is recorded as before. The learner's "who saw my data" stays
 * truthful (each row says who read, when the reads began, why and how much; later reads of
 * the same in the window are covered by it), and a learner's entries per window are bounded by
 * what there is to disclose, not by how often someone asks. A read whose record fails is not
 * covered: the next one records again. In memory, per node: a restart forgets the windows and
 * records the next read again.
 */

/** How long a recorded read stands for later reads of the same data (docs/RESULTS-AND-PORTAL.md, "One record per reader, purpose and minute"). */
export const ACCESS_WINDOW_MS = 60_000

/** Windows kept at most; beyond, the oldest are dropped (that read is then recorded again). */
const MAX_WINDOWS = 10_000

interface Window {
  until: number
  /** What the window's records disclosed. */
  covered: Set<string>
  /** Every record written in the window: a covered read answers only once they are durable. */
  written: Promise<void>
}

export interface AccessWindowsInit {
  windowMs?: number
  now?: () => number
}

export class AccessWindows {
  private readonly windowMs: number
  private readonly now: () => number
  private readonly windows = new Map<string, Window>()

  constructor (init: AccessWindowsInit = {}) {
    this.windowMs = init.windowMs ?? ACCESS_WINDOW_MS
    this.now = init.now ?? Date.now
  }

  /**
   * Records a read with `write` unless a record of the same `kind` in its window already
   * covers everything in `disclosed`; either way resolves once the record that covers the read
   * is durable. Returns whether this read wrote a record.
   * @param kind who read, whose data, for what (reader, role, learner, operation, purpose, legal basis)
   * @param disclosed what the read discloses (result versions), or nothing beyond the kind
   */
  async record (kind: string, disclosed: readonly string[], write: () => Promise<void>): Promise<boolean> {
    const now = this.now()
    let w = this.windows.get(kind)
    if (w !== undefined && now >= w.until) {
      this.windows.delete(kind)
      w = undefined
    }
    if (w !== undefined && disclosed.every((d) => (w as Window).covered.has(d))) {
      try {
        await w.written
        return false
      } catch {
        // A record of the window failed and it was dropped: this read records its own.
      }
    }
    const writing = write()
    if (w === undefined || this.windows.get(kind) !== w) {
      if (this.windows.size >= MAX_WINDOWS) this.evict(now)
      w = { until: now + this.windowMs, covered: new Set(), written: writing }
      this.windows.set(kind, w)
    } else {
      w.written = Promise.all([w.written, writing]).then(() => {})
    }
    // Awaited by covered reads only, if any: never left to reject unhandled.
    w.written.catch(() => {})
    for (const d of disclosed) w.covered.add(d)
    try {
      await writing
    } catch (err) {
      if (this.windows.get(kind) === w) this.windows.delete(kind)
      throw err
    }
    return true
  }

  /** Drops expired windows (the map is in the order they opened), and the oldest if none has expired. */
  private evict (now: number): void {
    for (const [kind, w] of this.windows) {
      if (now < w.until) break
      this.windows.delete(kind)
    }
    if (this.windows.size >= MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value as string)
  }
}
