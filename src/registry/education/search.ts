/**
 * Catalogue search over every version in memory: text (prefix match on the words of all names
 * and codes), kind, NKR level, ISCED-F field (prefix: "06" matches "0613"), institution (the
 * owner as of the query date, after mergers), language, status and "accredited on date D", with
 * facets over the whole match and offset paging. A query picks, per offering, the version in
 * force on `asOf` as known at `knownAt` (history.ts), so the same index answers "what did the
 * catalogue look like on D" and "what did the registry know on D".
 */
import { selectVersion, type AsOf } from './history.ts'
import type { OfferingVersion } from './model.ts'
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
  name: string
  nameEn: string
  localCode: string
  owner: string
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

export class SearchIndex {
  private readonly c: SearchIndexComponents
  /** word → offerings having it in some version. */
  private readonly postings = new Map<string, Set<string>>()
  private sortedWords: string[] | undefined
  private readonly wordsCache = new WeakMap<OfferingVersion, string[]>()

  /**
   * The version in force today of every offering, in national-ID order (the order of minting,
   * which is the store's insertion order): most queries ask about today, and this spares them
   * picking a version per offering. Rebuilt when the date changes, patched on every commit.
   */
  private current: { date: string, versions: Array<OfferingVersion | undefined>, position: Map<string, number> } | undefined

  constructor (components: SearchIndexComponents) {
    this.c = components
    for (const [, versions] of components.versions()) for (const v of versions) this.add(v)
  }

  private currentFor (date: string): NonNullable<SearchIndex['current']> {
    if (this.current?.date !== date) {
      const versions: Array<OfferingVersion | undefined> = []
      const position = new Map<string, number>()
      for (const [id, list] of this.c.versions()) {
        position.set(id, versions.length)
        versions.push(selectVersion(list, { validOn: date }))
      }
      this.current = { date, versions, position }
    }
    return this.current
  }

  /** Adds a newly recorded version. */
  add (v: OfferingVersion): void {
    if (this.current !== undefined) {
      const id = v.offering.id
      const at = this.current.position.get(id)
      const picked = selectVersion(this.c.versionsOf(id) ?? [v], { validOn: this.current.date })
      if (at === undefined) {
        this.current.position.set(id, this.current.versions.length)
        this.current.versions.push(picked)
      } else this.current.versions[at] = picked
    }
    for (const w of this.wordsOfVersion(v)) {
      let set = this.postings.get(w)
      if (set === undefined) {
        set = new Set()
        this.postings.set(w, set)
        this.sortedWords = undefined
      }
      set.add(v.offering.id)
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

  /** Offerings with a word starting with `prefix`, by binary search over the sorted vocabulary. */
  private withPrefix (prefix: string): Set<string> {
    this.sortedWords ??= [...this.postings.keys()].sort()
    const list = this.sortedWords
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((list[mid] as string) < prefix) lo = mid + 1
      else hi = mid
    }
    const out = new Set<string>()
    for (let i = lo; i < list.length && (list[i] as string).startsWith(prefix); i++) {
      for (const id of this.postings.get(list[i] as string) as Set<string>) out.add(id)
    }
    return out
  }

  search (query: SearchQuery): SearchResult {
    const date = query.asOf ?? this.c.today()
    const asOf: AsOf = { validOn: date, knownAt: query.knownAt }
    const terms = words(query.q ?? '')
    const offset = Math.max(0, query.offset ?? 0)
    const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? 20))
    // Today as known now: the cached current versions; any other time: pick per offering.
    const current = query.knownAt === undefined && date === this.c.today() ? this.currentFor(date) : undefined
    const pick = (id: string): OfferingVersion | undefined => {
      if (current !== undefined) {
        const at = current.position.get(id)
        return at === undefined ? undefined : current.versions[at]
      }
      const versions = this.c.versionsOf(id)
      return versions === undefined ? undefined : selectVersion(versions, asOf)
    }
    // Versions to consider, in national-ID order (so paging is deterministic and needs no sort).
    let candidates: Iterable<OfferingVersion | undefined>
    if (terms.length > 0) {
      const sets = terms.map((t) => this.withPrefix(t)).sort((a, b) => a.size - b.size)
      const [first, ...rest] = sets
      const ids = [...(first ?? [])].filter((id) => rest.every((set) => set.has(id))).sort()
      candidates = ids.map(pick)
    } else if (current !== undefined) {
      candidates = current.versions
    } else {
      candidates = (function * (all) { for (const [, versions] of all) yield selectVersion(versions, asOf) })(this.c.versions())
    }
    const set = (list: string[] | undefined): Set<string> | undefined => list === undefined || list.length === 0 ? undefined : new Set(list)
    const kinds = set(query.kind)
    const levels = set(query.level)
    const statuses = set(query.status)
    const languages = set(query.language)
    const institutions = set(query.institution)
    const fields = query.field === undefined || query.field.length === 0 ? undefined : query.field
    const facets: Facets = { kind: {}, level: {}, field: {}, institution: {}, language: {}, status: {} }
    const bump = (facet: Record<string, number>, key: string): void => { facet[key] = (facet[key] ?? 0) + 1 }
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
    for (const v of candidates) {
      if (v === undefined) continue
      const o = v.offering
      if (kinds !== undefined && !kinds.has(o.kind)) continue
      if (levels !== undefined && !levels.has(o.nkrLevel)) continue
      if (statuses !== undefined && !statuses.has(o.status)) continue
      if (fields !== undefined && !fields.some((f) => o.iscedF.startsWith(f))) continue
      if (languages !== undefined && !o.languages.some((l) => languages.has(l))) continue
      // A word may have matched another version of the offering: check this one.
      if (terms.length > 0) {
        const w = this.wordsOfVersion(v)
        if (!terms.every((t) => w.some((x) => x.startsWith(t)))) continue
      }
      const owner = ownerOf(o.id, o.owner)
      if (institutions !== undefined && !institutions.has(owner)) continue
      if (query.accreditedOn !== undefined && !this.c.isAccredited(o.id, query.accreditedOn, query.knownAt)) continue
      if (total >= offset && total < offset + limit) items.push(hitOf(v, owner))
      total++
      bump(facets.kind, o.kind)
      bump(facets.level, o.nkrLevel === '' ? 'none' : o.nkrLevel)
      bump(facets.field, o.iscedF.slice(0, 2))
      bump(facets.institution, owner)
      for (const l of o.languages) bump(facets.language, l)
      bump(facets.status, o.status)
    }
    return { total, offset, limit, items, facets }
  }
}

export function hitOf (v: OfferingVersion, owner: string): SearchHit {
  const o = v.offering
  return {
    id: o.id,
    kind: o.kind,
    name: o.name.nb ?? o.name.nn ?? o.name.en ?? '',
    nameEn: o.name.en ?? '',
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
