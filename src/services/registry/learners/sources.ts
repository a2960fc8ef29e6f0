/**
 * Where a learner's pointers are, in one row: `ps/<learner ID>` holds each pointer head of the
 * learner (source organisation, status, time), rewritten in the same unit as a head that
 * changes. A lookup ("where are L's results") reads the row by one point read instead of a
 * range scan over the heads: on the index at 100,000 learners a LevelDB iterator (opened, read
 * and closed through libuv's thread pool, seeking in every level of the tree) cost ~120 µs of
 * CPU per lookup, the point reads of a lookup ~9 µs (docs/BENCHMARKS.md, "Issue 18"). The heads
 * stay where they were and remain what writes read.
 *
 * A store keeps the rows from its first pointer on: the unit that writes a row also writes the
 * mark `ps-kept`. A store whose pointers were written before (no mark, pointer heads present)
 * keeps no rows and is read by the range scan, as before.
 */
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { Draft } from './draft.ts'
import { lifelong } from '../../../core/gen/proto.js'
import { pointerHeadPrefix, pointerSourcesKey, POINTER_SOURCES_MARK, prefixEnd } from './keys.ts'

const pb = lifelong.learners
const enc = new TextEncoder()
const dec = new TextDecoder()

export class PointerSources {
  private readonly store: Sublevel
  /** Whether writes keep the rows (decided by the first unit that writes a pointer). */
  private keeping: boolean | undefined
  /** Whether the mark is durable, so that lookups may read the rows. */
  private readable = false

  constructor (store: Sublevel) {
    this.store = store
  }

  /** Whether this unit must keep the rows; called in the registry's lane before it writes pointers. */
  async keeps (draft: Draft): Promise<boolean> {
    if (this.keeping !== undefined) return this.keeping
    await draft.load([POINTER_SOURCES_MARK])
    if (draft.has(POINTER_SOURCES_MARK)) return (this.keeping = true)
    // No mark: rows are kept only if no pointer was ever written without them.
    for await (const _ of this.store.keys({ gte: 'p/', lt: prefixEnd('p/'), limit: 1 })) return (this.keeping = false)
    return (this.keeping = true)
  }

  /** The rows a unit reads before it adds sources. */
  rowKeys (learnerIds: Iterable<string>): string[] {
    return [...new Set(learnerIds)].map(pointerSourcesKey)
  }

  /** Writes the rows of the learners whose heads changed in this unit (rows loaded with {@link rowKeys}). */
  write (draft: Draft, changed: ReadonlyMap<string, ReadonlyMap<string, SourceHead>>): void {
    if (changed.size === 0) return
    for (const [learnerId, heads] of changed) {
      const key = pointerSourcesKey(learnerId)
      const raw = draft.get(key)
      const all = new Map(raw === undefined ? [] : decodeRow(raw).map((h) => [h.source, h]))
      for (const [source, head] of heads) all.set(source, head)
      draft.put(key, encodeRow([...all.values()]))
    }
    draft.put(POINTER_SOURCES_MARK, enc.encode('1'))
  }

  /**
   * The learner's pointer heads by one synchronous point read, or undefined when the store keeps
   * no rows (the caller scans).
   */
  headsOf (learnerId: string): SourceHead[] | undefined {
    if (!this.readable) {
      if (this.store.getSync(POINTER_SOURCES_MARK) === undefined) return undefined
      this.readable = true
    }
    const raw = this.store.getSync(pointerSourcesKey(learnerId))
    return raw === undefined ? [] : decodeRow(raw)
  }

  /** The learner's pointer heads by a range scan (stores without rows). */
  async scan (learnerId: string): Promise<SourceHead[]> {
    const prefix = pointerHeadPrefix(learnerId)
    return (await this.store.iterator({ gte: prefix, lt: prefixEnd(prefix) }).all()).map(([key, value]) => {
      const head = pb.PointerHead.decode(value)
      return { source: key.slice(prefix.length), status: head.status, recordedAtMs: Number(head.recordedAtMs) }
    })
  }
}

/** A pointer head as a lookup needs it. */
export interface SourceHead {
  source: string
  status: string
  recordedAtMs: number
}

/** `source status time` per head, `;` between heads (organisation numbers and statuses have neither). */
function encodeRow (heads: readonly SourceHead[]): Uint8Array {
  return enc.encode(heads.map((h) => `${h.source} ${h.status} ${h.recordedAtMs}`).join(';'))
}

function decodeRow (raw: Uint8Array): SourceHead[] {
  const text = dec.decode(raw)
  if (text === '') return []
  return text.split(';').map((part) => {
    const [source, status, at] = part.split(' ') as [string, string, string]
    return { source, status, recordedAtMs: Number(at) }
  })
}
