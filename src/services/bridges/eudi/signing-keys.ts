/**
 * The EUDI credential issuer's keys as the portal signs and publishes them: from its issuer key
 * set (`<dataDir>/issuer-keys/eudi/`, src/core/crypto/issuer-key-set.ts) once a rollover has
 * begun, else from the one key file `<dataDir>/eudi-issuer.key` and the configured certificate
 * chain, as before any rollover.
 *
 * Each key with a certificate chain is checked as at start: the chain's leaf certifies the key,
 * and it leads to the configured root (`EUDI_CERTIFICATE_INVALID` otherwise), so a rollover to a
 * key the wallets' trust anchor does not vouch for is refused instead of signing credentials that
 * no wallet accepts.
 */
import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import type { JWK } from 'jose'
import { LifelongError } from '../../../core/errors.ts'
import { CREDENTIAL_ISSUER_KEY_FILE, p256JwkFromSpki, p256Thumbprint } from '../../../core/crypto/p256.ts'
import { certifiesKey, ChainError, verifyChain } from '../../../core/crypto/x509.ts'
import { activeKey, issuerKeySetDir, publishedKeys, readChain, readKeySet, readPrivateKey, readPublicKey } from '../../../core/crypto/issuer-key-set.ts'
import { issuerKeyOf, loadOrCreateIssuerKey, type IssuerKey } from './sd-jwt.ts'

/** What the issuer signs with and publishes. */
export interface EudiSigningKeys {
  readonly key: IssuerKey
  /** The key's certificate chain (leaf first), for `x5c`. */
  readonly chain?: readonly X509Certificate[]
  /** The JWKS: the signing key and the next and previous ones around a rollover. */
  readonly published: ReadonlyArray<JWK & { kid: string }>
  /** Whether they come from the key set (a rollover has begun). */
  readonly fromSet: boolean
}

export interface EudiSigningKeysInit {
  dataDir: string
  /** The configured chain of the key file (before any rollover). */
  certificateChain?: readonly X509Certificate[]
  /** The root every chain must lead to. */
  root?: readonly X509Certificate[]
  now: number
}

/** The public JWK (with `kid`, `alg`, `use`) of a P-256 public key. */
export function publishedJwk (key: KeyObject): JWK & { kid: string } {
  const jwk = p256JwkFromSpki(new Uint8Array((key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' })))
  return { ...jwk, kid: p256Thumbprint(jwk), alg: 'ES256', use: 'sig' }
}

/** Checks a chain against the key and the root. @throws EUDI_CERTIFICATE_INVALID */
export function checkIssuerChain (chain: readonly X509Certificate[], key: KeyObject, root: readonly X509Certificate[] | undefined, at: Date, where: string): void {
  if (!certifiesKey(chain[0] as X509Certificate, key)) {
    throw new LifelongError('invalid', 'EUDI_CERTIFICATE_INVALID', `${where}: its first certificate does not certify the credential issuer key`)
  }
  if (root === undefined) return
  try {
    verifyChain(chain, root, at)
  } catch (err) {
    throw new LifelongError('invalid', 'EUDI_CERTIFICATE_INVALID', `${where} does not lead to the root in certificateRootFile: ${err instanceof ChainError ? err.message : String(err)}`, { cause: err })
  }
}

/** Loads the keys the issuer signs with and publishes. @throws EUDI_CERTIFICATE_INVALID, KEY_ROLLOVER_* */
export async function loadEudiSigningKeys (init: EudiSigningKeysInit): Promise<EudiSigningKeys> {
  const dir = issuerKeySetDir(init.dataDir, 'eudi')
  const state = readKeySet(dir)
  const active = activeKey(state)
  if (active === undefined) {
    const key = await loadOrCreateIssuerKey(join(init.dataDir, CREDENTIAL_ISSUER_KEY_FILE))
    return { key, ...(init.certificateChain === undefined ? {} : { chain: init.certificateChain }), published: [key.jwk], fromSet: false }
  }
  const key = await issuerKeyOf(readPrivateKey(dir, active.id))
  const chain = readChain(dir, active.id)
  if (chain.length > 0) checkIssuerChain(chain, key.privateKey, init.root, new Date(init.now), `the chain of issuer key ${active.id}`)
  const published = publishedKeys(state).map((k) => k.id === active.id ? key.jwk : publishedJwk(readPublicKey(dir, k.id)))
  return { key, ...(chain.length === 0 ? {} : { chain }), published, fromSet: true }
}
