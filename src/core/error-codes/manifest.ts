/** Error codes of the federation manifest: parsing, signature, the manifest in force. */
import { errorModule } from './define.ts'

const ABOUT = 'the federation manifest: parsing, signature, the manifest in force (core/federation, net/federation, `lifelong manifest`)'

/** Each code of `MANIFEST`, on one line: the kind it is thrown with, and what it means. */
export const MANIFEST_ERRORS = errorModule('MANIFEST', ABOUT, {
  MANIFEST_BAD_SIGNATURE: ['unauthenticated', 'the manifest\'s signature does not verify'],
  MANIFEST_HYBRID_SIGNATURE_MISSING: ['forbidden', 'the signature policy requires both signatures and the manifest carries no valid ML-DSA-65 signature by a trusted operator key'],
  MANIFEST_INVALID: ['invalid', 'the manifest content breaks a rule (members, roles, validity): see fields'],
  MANIFEST_JSON_UNREADABLE: ['invalid', 'the manifest JSON given to `lifelong manifest` cannot be read'],
  MANIFEST_MALFORMED: ['invalid', 'not a signed federation manifest'],
  MANIFEST_KEY_ROTATION_INVALID: ['invalid', 'a key rotation cannot be made as asked (`lifelong operator rotate`, `lifelong key rotate`): the key is not the one in use, or the member is not in the manifest'],
  MANIFEST_MISSING: ['unavailable', 'no usable federation manifest, neither in the store nor in the manifest file'],
  MANIFEST_OPERATOR_KEYS_REWRITTEN: ['forbidden', 'the manifest drops, revives or changes an operator key of the chain in force (keys are only ever retired)'],
  MANIFEST_SIGNER_NOT_YET_VALID: ['forbidden', 'the manifest is signed by an operator key whose period had not begun when it was issued'],
  MANIFEST_SIGNER_RETIRED: ['forbidden', 'the manifest is signed by an operator key retired in the operator key chain (before its issue time, or before now at a node)'],
  MANIFEST_TOO_LARGE: ['too-large', 'the manifest is over its size limit'],
  MANIFEST_UNREADABLE: ['unavailable', 'the manifest file cannot be read'],
  MANIFEST_UNTRUSTED_SIGNER: ['forbidden', 'the manifest is not signed by a trusted operator key'],
  MANIFEST_WRONG_FEDERATION: ['forbidden', 'the manifest is of another federation than the node\'s']
})
