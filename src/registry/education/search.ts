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

  constructor (components: SearchIndexComponents) {
    this.c = components
    for (const [, versions] of components.versions()) for (const v of versions) this.add(v)
  }

  /** Adds a newly recorded version. */
  add (v: OfferingVersion): void {
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
    let candidates: Iterable<string>
    if (terms.length > 0) {
      const sets = terms.map((t) => this.withPrefix(t)).sort((a, b) => a.size - b.size)
      const [first, ...rest] = sets
      candidates = [...(first ?? [])].filter((id) => rest.every((s) => s.has(id)))
    } else {
      candidates = (function * (versions) { for (const [id] of versions) yield id })(this.c.versions())
    }
    const facets: Facets = { kind: {}, level: {}, field: {}, institution: {}, language: {}, status: {} }
    const bump = (facet: Record<string, number>, key: string): void => { facet[key] = (facet[key] ?? 0) + 1 }
    const inList = (list: string[] | undefined, value: string): boolean => list === undefined || list.length === 0 || list.includes(value)
    const matches: Array<{ v: OfferingVersion, owner: string }> = []
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
    for (const id of candidates) {
      const versions = this.c.versionsOf(id)
      if (versions === undefined) continue
      const v = selectVersion(versions, asOf)
      if (v === undefined) continue
      const o = v.offering
      // A word may have matched another version of the offering: check this one.
      if (terms.length > 0) {
        const w = this.wordsOfVersion(v)
        if (!terms.every((t) => w.some((x) => x.startsWith(t)))) continue
      }
      if (!inList(query.kind, o.kind) || !inList(query.level, o.nkrLevel) || !inList(query.status, o.status)) continue
      if (query.field !== undefined && query.field.length > 0 && !query.field.some((f) => o.iscedF.startsWith(f))) continue
      if (query.language !== undefined && query.language.length > 0 && !o.languages.some((l) => query.language?.includes(l))) continue
      const owner = ownerOf(id, o.owner)
      if (!inList(query.institution, owner)) continue
      if (query.accreditedOn !== undefined && !this.c.isAccredited(id, query.accreditedOn, query.knownAt)) continue
      matches.push({ v, owner })
      bump(facets.kind, o.kind)
      bump(facets.level, o.nkrLevel === '' ? 'none' : o.nkrLevel)
      bump(facets.field, o.iscedF.slice(0, 2))
      bump(facets.institution, owner)
      for (const l of o.languages) bump(facets.language, l)
      bump(facets.status, o.status)
    }
    // Stable order: national ID (minting order), so that paging is deterministic.
    matches.sort((a, b) => a.v.offering.id < b.v.offering.id ? -1 : a.v.offering.id > b.v.offering.id ? 1 : 0)
    const offset = Math.max(0, query.offset ?? 0)
    const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? 20))
    return {
      total: matches.length,
      offset,
      limit,
      items: matches.slice(offset, offset + limit).map(({ v, owner }) => hitOf(v, owner)),
      facets
    }
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
