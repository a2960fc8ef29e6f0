/**
 * Key layout of the `results` sublevel (pure). Keys hold opaque IDs and keyed hashes only:
 * never a national ID, a name or an external ID in clear.
 *
 * | key | value |
 * |---|---|
 * | `v/<result ID>/<version:8 hex>` | the signed result version (SignedEnvelope bytes; immutable, logged) |
 * | `s/<result ID>` | the result's state: current version, content hash, owner learner (mutable index) |
 * | `x/<hash of external ID>` | result ID (idempotent ingest) |
 * | `lr/<local ID>/<version:8 hex>` | a learner version (LearnerRecord bytes; immutable, logged) |
 * | `l/<local ID>` | the learner's current version number |
 * | `li/<keyed hash of identifier>` | local ID |
 * | `bl/<local ID>/<result ID>` | empty: the learner's results |
 * | `a/<local ID>/<at:13 digits>/<request id hex>` | AccessRecord bytes (immutable, logged) |
 * | `o/<local ID>` | OutboxEntry: the learner still to register at the index |
 * | `ix/<index learner ID>` | local ID: the national index's opaque ID of the learner, once registered |
 * | `meta/secret` | 32 random bytes: the key of the keyed hashes above |
 * | `meta/harvest-secret` | 32 random bytes: the key of the pseudonyms in harvested external IDs (harvest/) |
 */

export const HARVEST_SECRET_KEY = 'meta/harvest-secret'

export const versionKey = (resultId: string, version: number): string => `v/${resultId}/${version.toString(16).padStart(8, '0')}`
export const stateKey = (resultId: string): string => `s/${resultId}`
export const externalKey = (hash: string): string => `x/${hash}`
export const learnerVersionKey = (localId: string, version: number): string => `lr/${localId}/${version.toString(16).padStart(8, '0')}`
export const learnerKey = (localId: string): string => `l/${localId}`
export const learnerIndexKey = (hash: string): string => `li/${hash}`
export const byLearnerKey = (localId: string, resultId: string): string => `bl/${localId}/${resultId}`
export const byLearnerPrefix = (localId: string): string => `bl/${localId}/`
export const accessKey = (localId: string, atMs: number, requestIdHex: string): string => `a/${localId}/${String(atMs).padStart(13, '0')}/${requestIdHex}`
export const accessPrefix = (localId: string): string => `a/${localId}/`
export const outboxKey = (localId: string): string => `o/${localId}`
export const OUTBOX_PREFIX = 'o/'
export const indexIdKey = (learnerId: string): string => `ix/${learnerId}`
export const secretKey = (): string => 'meta/secret'

export { prefixEnd } from '../../../store/leveldb/keys.ts'

/** The log entry key of a result version: opaque, `<result ID>/v<version>`. */
export const logKeyOf = (resultId: string, version: number): string => `${resultId}/v${version}`

/** Log entry types of the results registry (docs/LOG.md). */
export const RESULT_LOG_TYPES = {
  result: 'results.result-version',
  learner: 'results.learner-version',
  access: 'results.access'
} as const
