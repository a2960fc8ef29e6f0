/**
 * Catalogue search over every version in memory: text (prefix match on the words of all names
 * and codes), kind, NKR level, ISCED-F field (prefix: "06" matches "0613"), institution (the
 * owner as of the query date, after mergers), language, status and "accredited on date D", with
 * facets over the whole match and offset paging. A query picks, per offering, the version in
 * force on `asOf` as known at `knownAt` (history.ts), so the same index answers "what did the
 * catalogue look like on D" and "what did the registry know on D".
 */
import { selectVersion, type AsOf } from './history.ts'
import type { Localised, OfferingVersion } from './model.ts'
import { eqfLevelOf } from './codes.ts'

export interface SearchQuery {
  q?: string
  kind?: string[]
  level?: string[]
  /** ISCED-F prefixes. */
  field?: string[]
  /** Institution national IDs (owner as of the query date). */
  institution?: string[]
  language?: string[]
  status?: string[]
  /** Only offerings accredited on this date. */
  accreditedOn?: string
  /** Valid date of the state searched (default today). */
  asOf?: string
  /** Record time: what the registry knew then (default now). */
  knownAt?: number
  offset?: number
  limit?: number
}

export interface SearchHit {
  id: string
  kind: string
  /** The names, as in an offering (one shape everywhere). */
  name: Localised
  localCode: string
  owner: string
  /** The owner's names and short name (today), next to its ID. */
  ownerName?: Localised
  ownerShortName?: string
  nkrLevel: string
  eqfLevel: number | null
  credits: number
  iscedF: string
  languages: string[]
  status: string
  seq: number
  validFrom: string
}

export type Facets = Record<'kind' | 'level' | 'field' | 'institution' | 'language' | 'status', Record<string, number>>

export interface SearchResult {
  total: number
  offset: number
  limit: number
  items: SearchHit[]
  facets: Facets
}

export interface SearchIndexComponents {
  /** Every version of every offering. */
  versions: () => Iterable<[string, readonly OfferingVersion[]]>
  versionsOf: (id: string) => readonly OfferingVersion[] | undefined
  /** The owner as of a date (after mergers, transfers). */
  ownerOn: (offeringId: string, recordedOwner: string, date: string, knownAt?: number) => string
  isAccredited: (offeringId: string, date: string, knownAt?: number) => boolean
  /** Whether a transfer event names the offering (its owner then depends on more than the recorded owner). */
  transferred: (offeringId: string) => boolean
  today: () => string
}

/** Lower case, diacritics folded (å→a, ø→o, æ→ae), so "hogskole" finds "Høgskole". */
export function normaliseText (s: string): string {
  return s.toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'o').normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
}

export function words (s: string): string[] {
  return normaliseText(s).split(/[^a-z0-9]+/).filter((w) => w !== '')
}

function wordsOf (v: OfferingVersion): string[] {
  const o = v.offering
  return [...new Set([...words(Object.values(o.name).join(' ')), ...words(o.localCode), o.id.toLowerCase()])]
}

export const MAX_PAGE = 100

/**
 * Each offering has a document number: its position in national-ID order (the order the
 * registry minted IDs, which is the store's insertion order). Posting lists and result sets are
 * in document numbers, so a text match is a bitset and every result comes out in ID order
 * without sorting.
 */
export class SearchIndex {
  private readonly c: SearchIndexComponents
  private readonly docs: string[] = []
  private readonly docOf = new Map<string, number>()
  /** Documents with more than one version (a word match must then be checked on the version picked). */
  private readonly multi = new Set<number>()
  /** word → documents having it in some version, ascending (kept sorted on insert). */
  private readonly postings = new Map<string, number[]>()
  private sortedWords: string[] | undefined
  private readonly wordsCache = new WeakMap<OfferingVersion, string[]>()
  /**
   * The version in force today of every document: most queries ask about today, and this spares
   * them picking a version per offering. Rebuilt when the date changes, patched on every commit.
   */
  private current: { date: string, versions: Array<OfferingVersion | undefined> } | undefined

  constructor (components: SearchIndexComponents) {
    this.c = components
    for (const [, versions] of components.versions()) for (const v of versions) this.add(v)
  }

  private currentFor (date: string): NonNullable<SearchIndex['current']> {
    if (this.current?.date !== date) {
      this.current = { date, versions: this.docs.map((id) => selectVersion(this.c.versionsOf(id) ?? [], { validOn: date })) }
    }
    return this.current
  }

  /** Adds a newly recorded version. */
  add (v: OfferingVersion): void {
    const id = v.offering.id
    let doc = this.docOf.get(id)
    if (doc === undefined) {
      doc = this.docs.length
      this.docs.push(id)
      this.docOf.set(id, doc)
    } else this.multi.add(doc)
    if (this.current !== undefined) this.current.versions[doc] = selectVersion(this.c.versionsOf(id) ?? [v], { validOn: this.current.date })
    for (const w of this.wordsOfVersion(v)) {
      let list = this.postings.get(w)
      if (list === undefined) {
        list = []
        this.postings.set(w, list)
        this.sortedWords = undefined
      }
      const last = list[list.length - 1]
      if (last === undefined || last < doc) list.push(doc)
      else if (last !== doc && !list.includes(doc)) {
        // A later version of an older offering: insert in order.
        let k = list.length
        while (k > 0 && (list[k - 1] as number) > doc) k--
        list.splice(k, 0, doc)
      }
    }
  }

  private wordsOfVersion (v: OfferingVersion): string[] {
    let w = this.wordsCache.get(v)
    if (w === undefined) {
      w = wordsOf(v)
      this.wordsCache.set(v, w)
    }
    return w
  }

  /** Documents with a word starting with `prefix` as a bitset, by binary search over the sorted vocabulary. */
  private withPrefix (prefix: string): Uint32Array {
    this.sortedWords ??= [...this.postings.keys()].sort()
    const list = this.sortedWords
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((list[mid] as string) < prefix) lo = mid + 1
      else hi = mid
    }
    const bits = new Uint32Array((this.docs.length + 31) >>> 5)
    for (let i = lo; i < list.length && (list[i] as string).startsWith(prefix); i++) {
      for (const d of this.postings.get(list[i] as string) as number[]) bits[d >>> 5] = (bits[d >>> 5] as number) | (1 << (d & 31))
    }
    return bits
  }

  search (query: SearchQuery): SearchResult {
    const date = query.asOf ?? this.c.today()
    const asOf: AsOf = { validOn: date, knownAt: query.knownAt }
    const terms = words(query.q ?? '')
    const offset = Math.max(0, query.offset ?? 0)
    const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? 20))
    // Today as known now: the cached current versions; any other time: pick per offering.
    const current = query.knownAt === undefined && date === this.c.today() ? this.currentFor(date) : undefined
    const pick = (doc: number): OfferingVersion | undefined =>
      current !== undefined
        ? current.versions[doc]
        : selectVersion(this.c.versionsOf(this.docs[doc] as string) ?? [], asOf)
    // Documents to consider, ascending (national-ID order).
    let matched: Uint32Array | undefined
    for (const t of terms) {
      const bits = this.withPrefix(t)
      if (matched === undefined) matched = bits
      else for (let k = 0; k < matched.length; k++) matched[k] = (matched[k] as number) & (bits[k] as number)
    }
    const docs = this.docs.length
    const set = (list: string[] | undefined): Set<string> | undefined => list === undefined || list.length === 0 ? undefined : new Set(list)
    const kinds = set(query.kind)
    const levels = set(query.level)
    const statuses = set(query.status)
    const languages = set(query.language)
    const institutions = set(query.institution)
    const fields = query.field === undefined || query.field.length === 0 ? undefined : query.field
    const facets: Facets = { kind: {}, level: {}, field: {}, institution: {}, language: {}, status: {} }
    const bump = (facet: Record<string, number>, key: string): void => {
      facet[key] = (facet[key] ?? 0) + 1
    }
    // The owner on the date depends only on the recorded owner, unless the offering was transferred.
    const owners = new Map<string, string>()
    const ownerOf = (id: string, recorded: string): string => {
      if (this.c.transferred(id)) return this.c.ownerOn(id, recorded, date, query.knownAt)
      let o = owners.get(recorded)
      if (o === undefined) {
        o = this.c.ownerOn(id, recorded, date, query.knownAt)
        owners.set(recorded, o)
      }
      return o
    }
    const items: SearchHit[] = []
    let total = 0
    const consider = (doc: number): void => {
      const v = pick(doc)
      if (v === undefined) return
      const o = v.offering
      if (kinds !== undefined && !kinds.has(o.kind)) return
      if (levels !== undefined && !levels.has(o.nkrLevel)) return
      if (statuses !== undefined && !statuses.has(o.status)) return
      if (fields !== undefined && !fields.some((f) => o.iscedF.startsWith(f))) return
      if (languages !== undefined && !o.languages.some((l) => languages.has(l))) return
      // A word may have matched another version of the offering: check this one.
      if (terms.length > 0 && this.multi.has(doc)) {
        const w = this.wordsOfVersion(v)
        if (!terms.every((t) => w.some((x) => x.startsWith(t)))) return
      }
      const owner = ownerOf(o.id, o.owner)
      if (institutions !== undefined && !institutions.has(owner)) return
      if (query.accreditedOn !== undefined && !this.c.isAccredited(o.id, query.accreditedOn, query.knownAt)) return
      if (total >= offset && total < offset + limit) items.push(hitOf(v, owner))
      total++
      bump(facets.kind, o.kind)
      bump(facets.level, o.nkrLevel === '' ? 'none' : o.nkrLevel)
      bump(facets.field, o.iscedF.slice(0, 2))
      bump(facets.institution, owner)
      for (const l of o.languages) bump(facets.language, l)
      bump(facets.status, o.status)
    }
    if (matched === undefined) {
      for (let d = 0; d < docs; d++) consider(d)
    } else {
      for (let k = 0; k < matched.length; k++) {
        let word = matched[k] as number
        while (word !== 0) {
          const low = word & -word
          consider((k << 5) + 31 - Math.clz32(low))
          word ^= low
        }
      }
    }
    return { total, offset, limit, items, facets }
  }
}

export function hitOf (v: OfferingVersion, owner: string): SearchHit {
  const o = v.offering
  return {
    id: o.id,
    kind: o.kind,
    name: o.name,
    localCode: o.localCode,
    owner,
    nkrLevel: o.nkrLevel,
    eqfLevel: eqfLevelOf(o.nkrLevel) ?? null,
    credits: o.credits,
    iscedF: o.iscedF,
    languages: o.languages,
    status: o.status,
    seq: v.seq,
    validFrom: v.validFrom
  }
}
