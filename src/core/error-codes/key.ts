/** Error codes of key files and key encodings: Ed25519 node keys, P-256 keys, peer IDs. */
import { errorModule } from './define.ts'

const ABOUT = 'key files and key encodings: Ed25519 node keys, ML-DSA-65 keys, P-256 keys, peer IDs (core/crypto)'

/** Each code of `KEY`, on one line: the kind it is thrown with, and what it means. */
export const KEY_ERRORS = errorModule('KEY', ABOUT, {
  KEY_DEV_CERTIFICATES_UNAVAILABLE: ['unavailable', 'making development certificates needs the development dependencies (@peculiar/x509): installed with --omit=dev'],
  KEY_EXISTS: ['conflict', 'a node key file already exists; `lifelong init` never replaces one'],
  KEY_EXPORT_FAILED: ['internal', 'the private key cannot be exported'],
  KEY_ML_DSA_CONTEXT: ['internal', 'an ML-DSA context string is longer than 255 bytes (FIPS 204)'],
  KEY_MISSING: ['invalid', 'no key file at the path (create one with `lifelong init`)'],
  KEY_NOT_ED25519: ['invalid', 'the key is not an Ed25519 key'],
  KEY_NOT_ML_DSA: ['invalid', 'the key is not a private ML-DSA-65 key (the post-quantum half of a hybrid signer must be)'],
  KEY_NOT_P256: ['invalid', 'the key is not an EC P-256 key (the EUDI credential issuer key must be)'],
  KEY_P256_INVALID: ['invalid', 'not an EC P-256 public key (SubjectPublicKeyInfo or JWK)'],
  KEY_PEER_ID_INVALID: ['invalid', 'not an Ed25519 libp2p peer ID'],
  KEY_PERMISSIONS: ['forbidden', 'a secret file is readable by group or others: chmod 600 it'],
  KEY_POLICY_UNKNOWN: ['invalid', 'a signature policy other than ed25519-only or both-required'],
  KEY_PQ_PUBLIC_INVALID: ['invalid', 'not an ML-DSA-65 public key as "ml-dsa-65:<base64 of 1952 bytes>"'],
  KEY_PUBLIC_INVALID: ['invalid', 'not an Ed25519 public key as "ed25519:<base64 of 32 bytes>"'],
  KEY_UNREADABLE: ['invalid', 'the key file is not a PKCS#8 PEM private key'],
  KEY_WRITE_FAILED: ['internal', 'the key file cannot be created'],
  KEY_CERTIFICATE_DER_INVALID: ['invalid', 'a signer certificate is not one DER element'],
  KEY_X509_FILE_INVALID: ['invalid', 'a certificate file is not a PEM certificate'],
  KEY_X509_NO_SIGNER: ['invalid', 'a certificate needs an issuer or, for a root, its own key'],
  KEY_ROLLOVER_ACTIVE: ['conflict', 'the issuer key to retire is the one that signs: roll over to another key first'],
  KEY_ROLLOVER_CERTIFICATE_INVALID: ['invalid', 'the certificate given for a next issuer key does not certify that key, or is not for the set (RSA for EMREX)'],
  KEY_ROLLOVER_DUPLICATE: ['conflict', 'the key is already in the issuer key set'],
  KEY_ROLLOVER_KEY_MISSING: ['invalid', 'the private key file of the active or next issuer key is missing'],
  KEY_ROLLOVER_NEXT_EXISTS: ['conflict', 'a next issuer key is already waiting: roll over to it first'],
  KEY_ROLLOVER_NO_NEXT: ['conflict', 'no next issuer key to roll over to'],
  KEY_ROLLOVER_NOTHING_TO_RETIRE: ['conflict', 'no previous issuer key to retire (or the one named is not previous)'],
  KEY_ROLLOVER_SET_UNKNOWN: ['invalid', 'an issuer key set other than eudi or emrex'],
  KEY_ROLLOVER_STATE_INVALID: ['invalid', 'the issuer key set\'s set.json is not a valid version 1 set'],
  KEY_ROLLOVER_UNKNOWN_KEY: ['not-found', 'no key with that ID in the issuer key set']
})
