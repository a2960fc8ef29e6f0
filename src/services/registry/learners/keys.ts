/**
 * The learner registry's key layout in the node's `learners` sublevel. Pure functions: every
 * key the registry reads or writes is built here, so the layout can be read in one place.
 *
 * | prefix | key | value |
 * |---|---|---|
 * | `l/` | `l/<learner>` | `LearnerHead`: current version, merge links (derived) |
 * | `lv/` | `lv/<learner>/<version>` | `LearnerRecord`, every version, never changed |
 * | `i/` | `i/<scheme>/<value>` | learner ID (UTF-8) owning the identifier now (derived index) |
 * | `n/` | `n/<match key>/<learner>` | empty: name + birth date index for matching (derived) |
 * | `k/` | `k/<organisation>/<key hash>` | learner ID issued for an idempotency key (derived) |
 * | `p/` | `p/<learner>/<organisation>` | `PointerHead`: current version and status (derived) |
 * | `pv/` | `pv/<learner>/<organisation>/<version>` | `PointerRecord`, every version |
 * | `e/` | `e/<learner>/<organisation>/<offering>` | copy of the current `EnrolmentRecord` (derived) |
 * | `ev/` | `ev/<learner>/<organisation>/<offering>/<version>` | `EnrolmentRecord`, every version |
 * | `r/` | `r/<request id hex>` | `RequestRecord` of a write request |
 * | `a/` | `a/<learner>/<time>/<request id hex>` | `AccessRecord` of a read |
 * | `rel/` | `rel/<learner>/<organisation>` | `Relationship`: the institution created the learner or linked a pointer or enrolment (derived) |
 * | `qv/` | `qv/<learner>/<change request id>/<version>` | `ChangeRequest`, every version |
 * | `q/` | `q/<change request id>` | copy of the current `ChangeRequest` (derived) |
 * | `qp/` | `qp/<change request id>` | empty: the change request is pending (derived) |
 * | `b/` | `b/<time>/<batch id>` | `LogBatch`: the Merkle root over one write's records, its one log entry |
 * | `bi/` | `bi/<time>/<batch id>` | the batch's items in order: salt and key of each record |
 * | `o/` | `o/<sequence>` | outbox entry of an institution node (pending index registrations) |
 *
 * Records (`lv/`, `pv/`, `ev/`, `r/`, `a/`, `qv/`) are written once under their own key; each is an item
 * of the batch that wrote it (`bi/`), whose Merkle root (`b/`, also written once) is the leaf
 * the node's log holds (`lifelong log verify` checks the batch records, `verifyBatches` every
 * item). The heads beside them are indexes that say which version is current, rebuilt from the
 * records if need be.
 *
 * Learner IDs are opaque and random; organisation numbers are public. National IDs appear only
 * in `i/` keys (the resolution index), inside the index node's own database, never in a log
 * line, a URL or a Merkle leaf. `n/` keys hold a hash, not names or dates.
 */
import { createHash, hash } from 'node:crypto'

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export { prefixEnd } from '../../../store/leveldb/keys.ts'

export const learnerHeadKey = (learnerId: string): string => `l/${learnerId}`
export const learnerVersionKey = (learnerId: string, version: number): string => `lv/${learnerId}/${pad(version, 8)}`
export const learnerVersionPrefix = (learnerId: string): string => `lv/${learnerId}/`

/** Short scheme tags for identifier keys; fnr and dnr share one space (one 11-digit number is one person). */
export function identifierKey (scheme: string, value: string, country = ''): string {
  switch (scheme) {
    case 'fnr':
    case 'dnr':
      return `i/nin/${value}`
    case 'education-id':
      return `i/edu/${value}`
    case 'esi':
      return `i/esi/${encodeURIComponent(value)}`
    default:
      return `i/for/${country}/${encodeURIComponent(value)}`
  }
}

/**
 * The matching key of a name and birth date: SHA-256 over the birth date, the normalised family
 * name and the first normalised given name, truncated to 128 bits. Keeps names and dates out of
 * keys while letting equal ones meet.
 */
export function matchKey (birthDate: string, familyName: string, givenName: string): string {
  const first = normaliseName(givenName).split(' ')[0] ?? ''
  return hash('sha256', `${birthDate}\n${normaliseName(familyName)}\n${first}`, 'hex').slice(0, 32)
}

/** Lower-case ASCII words with single spaces: already normal (most names; skips the Unicode passes). */
const PLAIN_NAME = /^[a-z]+(?: [a-z]+)*$/

/**
 * A name reduced for comparison: Unicode compatibility form, diacritics removed, Norwegian and
 * other letters without a decomposition spelled out (æ → ae, ø → o, å → a via NFKD, ß → ss),
 * lower case, hyphens and apostrophes as spaces, runs of spaces as one.
 */
export function normaliseName (name: string): string {
  const lower = name.toLowerCase()
  if (PLAIN_NAME.test(lower)) return lower
  return lower
    .replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/ß/g, 'ss').replace(/đ/g, 'd').replace(/ł/g, 'l').replace(/œ/g, 'oe')
    .normalize('NFKD').replace(/\p{M}/gu, '')
    .replace(/[-‐‑'’.,]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

export const nameIndexKey = (match: string, learnerId: string): string => `n/${match}/${learnerId}`
export const nameIndexPrefix = (match: string): string => `n/${match}/`

export const idempotencyKey = (organisation: string, key: string): string => `k/${organisation}/${createHash('sha256').update(key).digest('hex').slice(0, 32)}`

export const pointerHeadKey = (learnerId: string, organisation: string): string => `p/${learnerId}/${organisation}`
export const pointerHeadPrefix = (learnerId: string): string => `p/${learnerId}/`
/** The organisations with a pointer head for a learner (`sources.ts`), and the mark that a store keeps these rows. */
export const pointerSourcesKey = (learnerId: string): string => `ps/${learnerId}`
export const POINTER_SOURCES_MARK = 'ps-kept'
export const pointerVersionKey = (learnerId: string, organisation: string, version: number): string => `pv/${learnerId}/${organisation}/${pad(version, 8)}`
export const pointerVersionPrefix = (learnerId: string): string => `pv/${learnerId}/`

export const enrolmentHeadKey = (learnerId: string, institution: string, offeringId: string): string => `e/${learnerId}/${institution}/${offeringId}`
export const enrolmentHeadPrefix = (learnerId: string): string => `e/${learnerId}/`
export const enrolmentVersionKey = (learnerId: string, institution: string, offeringId: string, version: number): string => `ev/${learnerId}/${institution}/${offeringId}/${pad(version, 8)}`
export const enrolmentVersionPrefix = (learnerId: string): string => `ev/${learnerId}/`

export const requestKey = (requestIdHex: string): string => `r/${requestIdHex}`

/** Access rows sort by time within a learner: 15 digits of Unix ms last until the year 33658. */
export const accessKey = (learnerId: string, atMs: number, requestIdHex: string): string => `a/${learnerId}/${pad(atMs, 15)}/${requestIdHex}`
export const accessPrefix = (learnerId: string): string => `a/${learnerId}/`
export const accessBefore = (learnerId: string, beforeMs: number): string => `a/${learnerId}/${pad(beforeMs, 15)}`

/** Whether `organisation` may write about `learnerId` without presenting identity data (docs/LEARNER-REGISTRY.md §Rights). */
export const relationshipKey = (learnerId: string, organisation: string): string => `rel/${learnerId}/${organisation}`

export const changeRequestHeadKey = (id: string): string => `q/${id}`
export const CHANGE_REQUEST_PENDING_PREFIX = 'qp/'
export const changeRequestPendingKey = (id: string): string => `qp/${id}`
export const changeRequestVersionKey = (learnerId: string, id: string, version: number): string => `qv/${learnerId}/${id}/${pad(version, 8)}`
export const changeRequestVersionPrefix = (learnerId: string): string => `qv/${learnerId}/`

/** A batch: 15 digits of Unix ms (batches sort by time) and 16 random bytes in hex. */
export const batchKey = (atMs: number, idHex: string): string => `b/${pad(atMs, 15)}/${idHex}`
export const BATCH_PREFIX = 'b/'
/** The item list of the batch at `batchKey` (same suffix). */
export const batchItemsKey = (batch: string): string => `bi/${batch.slice(BATCH_PREFIX.length)}`

export const outboxKey = (sequence: number): string => `o/${pad(sequence, 16)}`
export const OUTBOX_PREFIX = 'o/'
