/**
 * The EMREX signing certificate as the portal signs and publishes it: from its issuer key set
 * (`<dataDir>/issuer-keys/emrex/`, src/core/crypto/issuer-key-set.ts) once a rollover has begun,
 * else from the configured `emrex.certificateFile` and `emrex.keyFile`, as before any rollover.
 *
 * The published certificates (`GET /emrex/certificates`) are what EMREX clients put in their
 * registry (the EWP catalogue's `emrex-data-access-point/certificate` may list several):
 * during a rollover the next or previous certificate beside the active one, so that ELMO signed
 * before the rollover still verifies with a certificate the portal publishes.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import { activeKey, issuerKeySetDir, publishedKeys, readChain, readKeySet, readPrivateKey, type IssuerKeySetState } from '../../../core/crypto/issuer-key-set.ts'
import { loadSigningCredentials, type SigningCredentials } from './certificate.ts'

export interface EmrexSigningKeys {
  readonly credentials: SigningCredentials
  /** The certificates to publish: the active one first. */
  readonly published: readonly X509Certificate[]
  readonly fromSet: boolean
}

/** The set's ID of a certificate: its SHA-256 fingerprint in lowercase hex. */
export function certificateId (certificate: X509Certificate): string {
  return certificate.fingerprint256.replace(/:/g, '').toLowerCase()
}

/** Checks that an RSA key and its certificate make EMREX signing credentials. @throws EMREX_KEY_INVALID */
export function signingCredentialsOf (certificate: X509Certificate, privateKeyPem: string, where: string): SigningCredentials {
  const privateKey = createPrivateKey(privateKeyPem)
  if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new LifelongError('invalid', 'EMREX_KEY_INVALID', `${where}: the EMREX signing key must be RSA of at least 2048 bits`)
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new LifelongError('invalid', 'EMREX_KEY_INVALID', `${where}: the key is not the certificate's`)
  return { privateKey, certificatePem: certificate.toString(), certificate }
}

/** Loads what the portal signs ELMO with and the certificates it publishes. */
export function loadEmrexSigningKeys (config: { certificateFile: string, keyFile: string }, dataDir: string | undefined): EmrexSigningKeys {
  const dir = dataDir === undefined ? undefined : issuerKeySetDir(dataDir, 'emrex')
  const state: IssuerKeySetState | undefined = dir === undefined ? undefined : readKeySet(dir)
  const active = state === undefined ? undefined : activeKey(state)
  if (dir === undefined || state === undefined || active === undefined) {
    const credentials = loadSigningCredentials(config.certificateFile, config.keyFile)
    return { credentials, published: [credentials.certificate], fromSet: false }
  }
  const certificate = readChain(dir, active.id)[0]
  if (certificate === undefined) throw new LifelongError('invalid', 'EMREX_CERTIFICATE_INVALID', `the EMREX key ${active.id} has no certificate`)
  const credentials = signingCredentialsOf(certificate, readPrivateKey(dir, active.id).export({ format: 'pem', type: 'pkcs8' }).toString(), `EMREX key ${active.id}`)
  const others = publishedKeys(state).filter((k) => k.id !== active.id).flatMap((k) => readChain(dir, k.id).slice(0, 1))
  return { credentials, published: [certificate, ...others], fromSet: true }
}
