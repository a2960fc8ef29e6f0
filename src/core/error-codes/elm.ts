/** Error codes of European Learning Model credentials: building, sealing, verifying. */
import { errorModule } from './define.ts'

const ABOUT = 'European Learning Model credentials: building, sealing, verifying (services/bridges/elm)'

/** Each code of `ELM`, on one line: the kind it is thrown with, and what it means. */
export const ELM_ERRORS = errorModule('ELM', ABOUT, {
  ELM_ALG_UNSUPPORTED: ['invalid', 'the sealed credential\'s JWS alg is not the one accepted'],
  ELM_DATE_INVALID: ['invalid', 'not a calendar date'],
  ELM_ISSUER_MISMATCH: [['internal', 'invalid'], 'the credential names another issuer than the sealing key'],
  ELM_KID_INVALID: ['invalid', 'the sealing key is not a did:key in base58btc'],
  ELM_NOT_JWS: ['invalid', 'not a JWS compact serialisation'],
  ELM_PAYLOAD_INVALID: ['invalid', 'the JWS payload is not a JSON credential'],
  ELM_RESULT_ANNULLED: ['gone', 'the result is annulled and cannot be issued as a credential'],
  ELM_SCHEMA_INVALID: ['invalid', 'the ELM credential does not validate against the EDC schema'],
  ELM_SIGNATURE_INVALID: ['invalid', 'the seal does not verify under the key named in kid'],
  ELM_TEXT_MISSING: ['invalid', 'a text has no value in an ISO 639-1 language'],
  ELM_TOO_LARGE: ['too-large', 'the sealed credential is over its size limit'],
  ELM_TYP_INVALID: ['invalid', 'the JWS typ is not vc+jwt']
})
