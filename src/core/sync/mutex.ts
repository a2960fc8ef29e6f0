/**
 * The node's one mutual exclusion for work that is not a write to the log (writes to the log are
 * units of work, src/store/log/unit-of-work.ts, serialised by lane): signing checkpoints one at a
 * time, a witness's checks per log, pushes per witness, the replay guard's horizon per sender,
 * the peer store's flushes, an institution's catalogue uploads. In memory, per node.
 */

/** Runs functions one at a time, in the order they were given; a failure does not stop the next. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve()
  private pending = 0

  async run<T> (fn: () => Promise<T> | T): Promise<T> {
    this.pending++
    const run = this.tail.then(fn, fn)
    this.tail = run.catch(() => {})
    try {
      return await run
    } finally {
      this.pending--
    }
  }

  /** Whether nothing is running or waiting. */
  get idle (): boolean {
    return this.pending === 0
  }

  /** Resolves once everything given so far has finished (whether it succeeded or not). */
  async settled (): Promise<void> {
    await this.tail
  }
}

/** One {@link Mutex} per key, made on first use and dropped when idle. */
export class KeyedMutex {
  private readonly locks = new Map<string, Mutex>()

  async run<T> (key: string, fn: () => Promise<T> | T): Promise<T> {
    let lock = this.locks.get(key)
    if (lock === undefined) this.locks.set(key, lock = new Mutex())
    try {
      return await lock.run(fn)
    } finally {
      if (lock.idle && this.locks.get(key) === lock) this.locks.delete(key)
    }
  }

  /** Resolves once everything given so far, under any key, has finished. */
  async settled (): Promise<void> {
    await Promise.all([...this.locks.values()].map(async (l) => {
      await l.settled()
    }))
  }
}
