/**
 * Key layout of the `education` sublevel, as pure functions. Sequence numbers are zero-padded so
 * that a range scan returns versions in record order. The same layout serves the registry node
 * and an institution node's own catalogue (a node is never both).
 */
const pad = (n: number): string => String(n).padStart(8, '0')

export const keys = {
  /** The last serial minted for an ID kind (O, I, E, A); only ever increases. */
  counter: (kindLetter: string): string => `n/${kindLetter}`,
  offeringVersion: (id: string, seq: number): string => `o/${id}/${pad(seq)}`,
  offeringVersions: { gt: 'o/', lt: 'o/\xff' },
  /** Cross-walk: an owner's (kind, local code, version code) → national offering ID. */
  crosswalk: (owner: string, kind: string, localCode: string, localVersion: string): string => `x/${owner}/${kind}/${localCode.toUpperCase()}/${localVersion.toUpperCase()}`,
  crosswalks: { gt: 'x/', lt: 'x/\xff' },
  institutionVersion: (id: string, seq: number): string => `i/${id}/${pad(seq)}`,
  institutionVersions: { gt: 'i/', lt: 'i/\xff' },
  event: (id: string): string => `e/${id}`,
  events: { gt: 'e/', lt: 'e/\xff' },
  decision: (id: string): string => `a/${id}`,
  decisions: { gt: 'a/', lt: 'a/\xff' },
  /** Institution node: import fingerprints of rows already published (idempotent re-runs). */
  meta: (name: string): string => `m/${name}`
} as const

/** Log entry keys: opaque IDs only. */
export const logKeys = {
  offeringVersion: (id: string, seq: number): string => `${id}/${seq}`,
  institutionVersion: (id: string, seq: number): string => `${id}/${seq}`
} as const
