/**
 * Small writes of concurrent callers (the access rows of concurrent reads) committed together:
 * one unit of work for all the writes that arrive while the one before is being written.
 *
 * The log already shares one synced batch among the units queued at once (group commit), but
 * each unit still costs its own log entry (leaf, salt, leaf-hash index key, bundle bytes) and,
 * with a leaf plan, its own batch record. An index answering many lookups at once writes one
 * access row per lookup: grouped here, a burst of N lookups costs one unit (one entry and one
 * batch record for N rows) instead of N. Nobody waits for a group to fill: a write that finds
 * no group being written starts one at once, so a lone read is not delayed; the others join the
 * next group and wait for one durable write (docs/LOG.md §The unit of work).
 *
 * Each caller resolves once its group is durable; if the group's unit fails, every caller in it
 * gets that error (a read whose access row is not durable is not answered).
 */
import type { Transaction, UnitOptions, LogWriter } from './unit-of-work.ts'

/** Writes of one group at most (a bound on one unit's size, not a wait). */
const MAX_GROUP = 1000

interface Waiting<M> {
  build: (tx: Transaction) => void
  meta: M
  resolve: () => void
  reject: (err: unknown) => void
}

/** Groups of writes; `M` is what each caller says about its write (for the group's unit options). */
export class GroupedWrites<M = undefined> {
  private readonly log: LogWriter
  private readonly options: (metas: readonly M[]) => UnitOptions
  private pending: Array<Waiting<M>> = []
  private writing = false

  /** @param options the unit's options for a group, from what its callers said (in order) */
  constructor (log: LogWriter, options: (metas: readonly M[]) => UnitOptions = () => ({})) {
    this.log = log
    this.options = options
  }

  /** Adds `build`'s writes to the next group; resolves once that group is durable. */
  async write (build: (tx: Transaction) => void, meta: M): Promise<void> {
    return await new Promise<void>((resolve, reject) => {
      this.pending.push({ build, meta, resolve, reject })
      if (!this.writing) void this.drain()
    })
  }

  private async drain (): Promise<void> {
    this.writing = true
    try {
      while (this.pending.length > 0) {
        const group = this.pending.length <= MAX_GROUP ? this.pending : this.pending.slice(0, MAX_GROUP)
        this.pending = this.pending.length <= MAX_GROUP ? [] : this.pending.slice(MAX_GROUP)
        try {
          await this.log.transaction((tx) => {
            for (const w of group) w.build(tx)
          }, this.options(group.map((w) => w.meta)))
          for (const w of group) w.resolve()
        } catch (err) {
          for (const w of group) w.reject(err)
        }
      }
    } finally {
      this.writing = false
    }
  }
}
