/**
 * Key layout of the EUDI issuer in the node's `bridges` sublevel (shared with the other bridges:
 * everything here starts with `eudi/`). Pure functions. Bearer secrets (pre-authorised codes,
 * access tokens, nonces) are stored under their SHA-256, never in clear.
 */
import { createHash } from 'node:crypto'

export const EUDI_PREFIX = 'eudi/'
export const STATUS_LIST_PREFIX = 'eudi/sl/'

/** SHA-256 hex of a bearer secret: what the store keeps instead of the secret. */
export function secretHash (secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/** A credential offer and its state: `eudi/offer/<offer id>`. */
export const offerKey = (offerId: string): string => `eudi/offer/${offerId}`
/** Pre-authorised code → offer ID: `eudi/code/<sha256(code)>`. */
export const codeKey = (code: string): string => `eudi/code/${secretHash(code)}`
/** Access token → grant: `eudi/token/<sha256(token)>`. */
export const tokenKey = (token: string): string => `eudi/token/${secretHash(token)}`
/** An unspent `c_nonce`: `eudi/nonce/<sha256(nonce)>`. */
export const nonceKey = (nonce: string): string => `eudi/nonce/${secretHash(nonce)}`
/** An issued credential's record (no personal data): `eudi/cred/<credential id>`. */
export const credentialKey = (credentialId: string): string => `eudi/cred/${credentialId}`
/** Credentials issued for a result, for revocation: `eudi/by-result/<source peer>/<result id>/<credential id>`. */
export const byResultPrefix = (sourcePeerId: string, resultId: string): string => `eudi/by-result/${sourcePeerId}/${encodeURIComponent(resultId)}/`
export const byResultKey = (sourcePeerId: string, resultId: string, credentialId: string): string => `${byResultPrefix(sourcePeerId, resultId)}${credentialId}`
export const statusListBitsKey = (listId: string): string => `${STATUS_LIST_PREFIX}${listId}/bits`
export const statusListAllocKey = (listId: string): string => `${STATUS_LIST_PREFIX}${listId}/alloc`
/** Expiry index of short-lived records, for pruning: `eudi/exp/<expires ms, 14 hex>/<key>`. */
export const expiryKey = (expiresAt: number, key: string): string => `eudi/exp/${expiresAt.toString(16).padStart(14, '0')}/${key}`
export const EXPIRY_PREFIX = 'eudi/exp/'

export { prefixEnd } from '../../../store/leveldb/keys.ts'

/** `issuer_state` of an authorisation-code offer → offer ID: `eudi/istate/<sha256>`. */
export const issuerStateKey = (state: string): string => `eudi/istate/${secretHash(state)}`
/** A pushed authorisation request: `eudi/par/<sha256(request_uri)>`. */
export const parKey = (requestUri: string): string => `eudi/par/${secretHash(requestUri)}`
/** An authorisation code: `eudi/acode/<sha256(code)>`. */
export const authCodeKey = (code: string): string => `eudi/acode/${secretHash(code)}`
/** A refresh token's grant: `eudi/refresh/<sha256(token)>`. */
export const refreshKey = (token: string): string => `eudi/refresh/${secretHash(token)}`
/** A used `jti` (DPoP, attestation PoP): `eudi/jti/<sha256(scope, jti)>`. */
export const jtiKey = (scope: string, jti: string): string => `eudi/jti/${secretHash(`${scope}\n${jti}`)}`
/** A learner holding credentials whose status the upkeep keeps current: `eudi/holder/<learner ID>`. */
export const holderKey = (learnerId: string): string => `eudi/holder/${learnerId}`
export const HOLDER_PREFIX = 'eudi/holder/'
/** Credentials issued to a learner, for the status upkeep: `eudi/by-learner/<learner ID>/<credential id>`. */
export const byLearnerPrefix = (learnerId: string): string => `eudi/by-learner/${learnerId}/`
export const byLearnerKey = (learnerId: string, credentialId: string): string => `${byLearnerPrefix(learnerId)}${credentialId}`
