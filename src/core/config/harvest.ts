/** The `harvest` config section: where an institution node harvests results from, and how often. */

/** One source of results in the institution's student system. */
export interface HarvestSourceConfig {
  /** Names the source in reports, routes and the external IDs it makes (letters, digits, - and _). */
  readonly id: string
  /** `elmo` (ELMO 1.7 XML), `elm` (ELM 3 credentials, JSON-LD) or `ooapi` (OOAPI v5 associations with results). */
  readonly format: 'elmo' | 'elm' | 'ooapi'
  /** A file the student system writes, or a directory of them, one document each (absolute once parsed). */
  readonly file?: string
  /** Or an endpoint the node pulls from (https; OOAPI pages followed). */
  readonly url?: string
  /** Harvest this often (minutes); absent: only when asked (POST /results/harvest/<id>/runs). */
  readonly intervalMinutes?: number
  /** Accept http:// and non-public addresses (a student system on the node's own network or loopback). */
  readonly allowPrivateNetwork: boolean
  /** Largest document (or OOAPI page) read. */
  readonly maxBytes: number
}

export interface HarvestConfig {
  readonly sources: readonly HarvestSourceConfig[]
}
