/**
 * The learner registry's vocabulary: limits, the values an enumerated field may take, learner
 * IDs, and the caller of an operation. Pure; shared by the index and by its clients.
 */
import { randomBytes } from 'node:crypto'
import type { lifelong } from '../../../core/gen/proto.js'

export type Identifier = lifelong.learners.Identifier.$Properties
export type PersonName = lifelong.learners.PersonName.$Properties
export type Contact = lifelong.learners.Contact.$Properties
export type LearnerInput = lifelong.learners.LearnerInput.$Properties
export type LearnerRef = lifelong.learners.LearnerRef.$Properties
export type EntryOutcome = lifelong.learners.EntryOutcome.$Properties
export type PointerEntry = lifelong.learners.PointerEntry.$Properties
export type EnrolmentEntry = lifelong.learners.EnrolmentEntry.$Properties

/** Entries in one batch request (learners, or pointers and enrolments together). */
export const MAX_BATCH = 1000

/** Identifier schemes as stored. */
export const STORED_SCHEMES = ['fnr', 'dnr', 'education-id', 'esi', 'foreign'] as const
export type StoredScheme = typeof STORED_SCHEMES[number]
/** Schemes a caller may send: "national-id" lets the index tell fnr from D-number. */
export const INPUT_SCHEMES = ['national-id', ...STORED_SCHEMES] as const

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const
export const CHANNEL_KINDS = ['email', 'mobile', 'phone', 'other'] as const
export const STUDY_RIGHT_STATUSES = ['active', 'on-leave', 'completed', 'discontinued'] as const
export const ENTRY_ACTIONS = ['register', 'withdraw'] as const

/**
 * Legal bases a caller may declare (GDPR art. 6(1) and, for special categories, none: the
 * registry holds none). Shown to the learner with the label.
 */
export const LEGAL_BASES: Readonly<Record<string, string>> = Object.freeze({
  'gdpr-6-1-a': 'consent (GDPR art. 6(1)(a))',
  'gdpr-6-1-b': 'contract (GDPR art. 6(1)(b))',
  'gdpr-6-1-c': 'legal obligation (GDPR art. 6(1)(c))',
  'gdpr-6-1-e': 'public task (GDPR art. 6(1)(e))'
})

/** A purpose is a short dotted name, e.g. "results.register" or "portal.own-results". */
export const PURPOSE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+){0,4}$/
export const MAX_PURPOSE_LENGTH = 64

/** How a caller reached the index. */
export type Channel = 'rpc' | 'http-service' | 'http-learner'

/**
 * In which capacity a caller acts: a member by its role in the manifest ("institution",
 * "portal"), the national operator (an index node, or the operator's systems over HTTP with a
 * service token), or the learner. Only the operator may add or end a national ID or merge
 * learners; an institution writes only about learners it has a relationship with
 * (docs/LEARNER-REGISTRY.md §Rights).
 */
export type CallerRole = 'institution' | 'portal' | 'operator' | 'learner' | 'admission' | 'finance'

export const OPERATOR: CallerRole = 'operator'

/**
 * Who performs an operation, and why: built by the RPC handler from the checked request, or by
 * an HTTP route from the token and the body. Every record the operation writes or every access
 * row it leaves names these.
 */
export interface Accessor {
  /** Organisation number of the calling member (the index operator's own for HTTP callers). */
  readonly organisationNumber: string
  /** Base58 peer ID of the calling node; empty for HTTP callers. */
  readonly peerId: string
  /** Multihash bytes of that peer ID; empty for HTTP callers. */
  readonly peerIdBytes: Uint8Array
  /** 16 bytes. */
  readonly requestId: Uint8Array
  readonly purpose: string
  readonly legalBasis: string
  readonly channel: Channel
  /** In which capacity the caller acts; shown to the learner with every row. */
  readonly role: CallerRole
  /** The calling node's name in the manifest (the index node's own for HTTP callers). */
  readonly callerName: string
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'
export const LEARNER_ID_PATTERN = /^[0-7][0-9a-hjkmnp-tv-z]{25}$/

/** A new learner ID: 128 random bits as 26 lower-case Crockford base32 symbols. Carries nothing about the person. */
export function newLearnerId (random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(16)
  // 130 bits of output for 128 of input: two zero bits in front, then 5 bits per symbol.
  let out = ''
  let acc = 0
  let bits = 2
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += CROCKFORD[(acc >> bits) & 31]
    }
    acc &= (1 << bits) - 1
  }
  return out
}

export function isLearnerId (value: unknown): value is string {
  return typeof value === 'string' && LEARNER_ID_PATTERN.test(value)
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** True if an ISO date `YYYY-MM-DD` names a real calendar day. */
export function isIsoDate (value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const [y, m, d] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

/** Today's date (UTC) as `YYYY-MM-DD`. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
