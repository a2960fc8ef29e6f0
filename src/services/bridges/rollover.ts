/**
 * `lifelong issuer-keys next | rollover | retire | list`: the rollover of a portal's issuer keys
 * (the EUDI credential issuer key, the EMREX signing certificate) in its data directory, while the
 * node serves: the node looks at its key sets every few seconds and follows them (src/services/
 * bridges/eudi/module.ts, emrex/module.ts). The states and their rules: src/core/crypto/issuer-key-set.ts;
 * the procedure: docs/OPERATIONS.md, "Issuer key rollover".
 *
 * The first command on a set brings the key the portal signs with today (the EUDI key file and its
 * configured chain, the configured EMREX certificate and key) into it as the active key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { NodeConfig } from '../../core/config/config.ts'
import { LifelongError } from '../../core/errors.ts'
import { CREDENTIAL_ISSUER_KEY_FILE, loadOrCreateP256KeyFile, p256JwkFromSpki, p256Thumbprint, type P256Jwk } from '../../core/crypto/p256.ts'
import { certificatesToPem, readCertificates } from '../../core/crypto/x509.ts'
import {
  activeKey,
  addKey,
  deletePrivateKey,
  type IssuerKeyEntry,
  type IssuerKeySetName,
  type IssuerKeySetState,
  issuerKeySetDir,
  ISSUER_KEY_SETS,
  readChain,
  readKeySet,
  readPrivateKey,
  readPublicKey,
  retire,
  rollover,
  writeKeyFiles,
  writeKeySet
} from '../../core/crypto/issuer-key-set.ts'

/** One key of a set as the commands print it. */
export interface IssuerKeyView extends IssuerKeyEntry {
  /** EUDI: the public JWK, as the manifest's `credentialIssuerKeys` takes it. */
  jwk?: P256Jwk & { kid: string }
  /** EUDI, once retired: the entry for the manifest's `retiredCredentialIssuerKeys`. */
  retiredManifestEntry?: P256Jwk & { retiredAt: string }
  /** EMREX: the certificate's subject and validity. */
  certificate?: { subject: string, validFrom: string, validTo: string, fingerprint256: string }
}

export interface RolloverOptions {
  config: NodeConfig
  set: IssuerKeySetName
  now?: number
}

/** The set name, checked. @throws KEY_ROLLOVER_SET_UNKNOWN */
export function parseKeySetName (value: string): IssuerKeySetName {
  if (!(ISSUER_KEY_SETS as readonly string[]).includes(value)) throw new LifelongError('invalid', 'KEY_ROLLOVER_SET_UNKNOWN', `--set must be ${ISSUER_KEY_SETS.join(' or ')}`)
  return value as IssuerKeySetName
}

const fingerprintId = (certificate: X509Certificate): string => certificate.fingerprint256.replace(/:/g, '').toLowerCase()
const spkiOf = (key: KeyObject): Uint8Array => new Uint8Array((key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' }))
const jwkIdOf = (key: KeyObject): string => p256Thumbprint(p256JwkFromSpki(spkiOf(key)))

function dirOf (o: RolloverOptions): string {
  return issuerKeySetDir(o.config.dataDir, o.set)
}

function emrexConfig (config: NodeConfig): NonNullable<NodeConfig['emrex']> {
  if (config.emrex === undefined) throw new LifelongError('invalid', 'KEY_ROLLOVER_SET_UNKNOWN', 'the node has no emrex section: it has no EMREX certificate to roll over')
  return config.emrex
}

/** Brings the key signing today into an empty set, as its active key. */
function seed (o: RolloverOptions, state: IssuerKeySetState, now: number): IssuerKeySetState {
  if (activeKey(state) !== undefined) return state
  const dir = dirOf(o)
  if (o.set === 'eudi') {
    const key = loadOrCreateP256KeyFile(join(o.config.dataDir, CREDENTIAL_ISSUER_KEY_FILE))
    const id = jwkIdOf(key)
    const chainFile = o.config.portal?.wallet.certificateChainFile
    const publicPem = chainFile === undefined ? createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() : certificatesToPem(readCertificates(chainFile))
    if (!existsSync(join(dir, `${id}.key`))) writeKeyFiles(dir, id, key, publicPem)
    return addKey(state, id, now)
  }
  const cfg = emrexConfig(o.config)
  const certificate = new X509Certificate(readFileSync(cfg.certificateFile))
  const id = fingerprintId(certificate)
  if (!existsSync(join(dir, `${id}.key`))) writeKeyFiles(dir, id, createPrivateKey(readFileSync(cfg.keyFile, 'utf8')), certificate.toString())
  return addKey(state, id, now)
}

/** What `next` adds: for EUDI a new P-256 key (or one given) with an optional chain; for EMREX an RSA key and its certificate. */
export interface NextKeyInput {
  /** PEM PKCS#8 private key file (EMREX: required; EUDI: made here when absent). */
  keyFile?: string
  /** PEM: EUDI the chain (leaf first); EMREX the certificate. */
  certificateFile?: string
}

/** Adds the next key (published, not yet signing); brings today's key in first. */
export function stageNextKey (o: RolloverOptions, input: NextKeyInput): IssuerKeyView {
  const now = o.now ?? Date.now()
  const dir = dirOf(o)
  let state = seed(o, readKeySet(dir), now)
  let key: KeyObject
  let publicPem: string
  let id: string
  if (o.set === 'eudi') {
    key = input.keyFile === undefined ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : createPrivateKey(readFileSync(input.keyFile, 'utf8'))
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new LifelongError('invalid', 'KEY_NOT_P256', 'the credential issuer key must be an EC P-256 key')
    id = jwkIdOf(key)
    if (input.certificateFile === undefined) publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString()
    else {
      const chain = readCertificates(input.certificateFile)
      if (!Buffer.from(spkiOf(chain[0]?.publicKey as KeyObject)).equals(Buffer.from(spkiOf(key)))) {
        throw new LifelongError('invalid', 'KEY_ROLLOVER_CERTIFICATE_INVALID', `${input.certificateFile}: its first certificate does not certify the next key`)
      }
      publicPem = certificatesToPem(chain)
    }
  } else {
    if (input.keyFile === undefined || input.certificateFile === undefined) throw new LifelongError('invalid', 'KEY_ROLLOVER_CERTIFICATE_INVALID', 'an EMREX key needs --key and --cert (the CA-issued certificate of that key)')
    const certificate = new X509Certificate(readFileSync(input.certificateFile))
    key = createPrivateKey(readFileSync(input.keyFile, 'utf8'))
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048 || !certificate.checkPrivateKey(key)) {
      throw new LifelongError('invalid', 'KEY_ROLLOVER_CERTIFICATE_INVALID', `${input.certificateFile} is not the certificate of the RSA key (at least 2048 bits) in ${input.keyFile}`)
    }
    id = fingerprintId(certificate)
    publicPem = certificate.toString()
  }
  state = addKey(state, id, now)
  writeKeyFiles(dir, id, key, publicPem)
  writeKeySet(dir, state)
  return viewOf(dir, o.set, state.keys.find((k) => k.id === id) as IssuerKeyEntry)
}

/**
 * The next key signs from now on; the previous one stays published. For EUDI, a next key
 * without a certificate chain is refused while the active one has one (wallets would find no
 * `x5c`). The previous key's private key file is deleted: it never signs again.
 */
export function rolloverKeys (o: RolloverOptions): { active: IssuerKeyView, previous: IssuerKeyView } {
  const now = o.now ?? Date.now()
  const dir = dirOf(o)
  const state = readKeySet(dir)
  const before = activeKey(state)
  const next = state.keys.find((k) => k.state === 'next')
  if (before === undefined || next === undefined) throw new LifelongError('conflict', 'KEY_ROLLOVER_NO_NEXT', 'no next key to roll over to (lifelong issuer-keys next)')
  if (readChain(dir, before.id).length > 0 && readChain(dir, next.id).length === 0) {
    throw new LifelongError('invalid', 'KEY_ROLLOVER_CERTIFICATE_INVALID', `the active key ${before.id} has a certificate chain and the next key ${next.id} has none: add it with lifelong issuer-keys next --key … --cert …`)
  }
  readPrivateKey(dir, next.id)
  const after = rollover(state, now)
  writeKeySet(dir, after)
  deletePrivateKey(dir, before.id)
  // The key file of before any rollover goes with it: the set holds the keys from now on.
  if (o.set === 'eudi') {
    const legacy = join(o.config.dataDir, CREDENTIAL_ISSUER_KEY_FILE)
    if (existsSync(legacy) && jwkIdOf(loadOrCreateP256KeyFile(legacy)) === before.id) rmSync(legacy)
  }
  const find = (id: string): IssuerKeyEntry => after.keys.find((k) => k.id === id) as IssuerKeyEntry
  return { active: viewOf(dir, o.set, find(next.id)), previous: viewOf(dir, o.set, find(before.id)) }
}

/**
 * Retires the previous key(s) (or the one named): no longer published. Refused sooner than
 * `minOverlapMs` after the rollover (default a day: relying parties cache the JWKS and the EWP
 * registry, and a credential's `iat` is a day).
 */
export function retireKeys (o: RolloverOptions & { id?: string, minOverlapMs?: number }): IssuerKeyView[] {
  const now = o.now ?? Date.now()
  const dir = dirOf(o)
  const state = readKeySet(dir)
  const minOverlap = o.minOverlapMs ?? 86_400_000
  const early = state.keys.find((k) => k.state === 'previous' && (o.id === undefined || k.id === o.id) && (k.supersededAt ?? 0) + minOverlap > now)
  if (early !== undefined) {
    throw new LifelongError(
      'conflict',
      'KEY_ROLLOVER_NOTHING_TO_RETIRE',
      `the key ${early.id} stopped signing at ${new Date(early.supersededAt ?? 0).toISOString()}: retire it after an overlap of ${minOverlap / 3_600_000} h (--min-overlap-hours)`
    )
  }
  const after = retire(state, now, o.id)
  writeKeySet(dir, after)
  return after.keys.filter((k) => k.state === 'retired' && k.retiredAt === now).map((k) => viewOf(dir, o.set, k))
}

/** The set's keys (an empty set shows nothing: the node signs with its configured key). */
export function listKeys (o: RolloverOptions): IssuerKeyView[] {
  const dir = dirOf(o)
  return readKeySet(dir).keys.map((k) => viewOf(dir, o.set, k))
}

function viewOf (dir: string, set: IssuerKeySetName, k: IssuerKeyEntry): IssuerKeyView {
  if (set === 'eudi') {
    const jwk = p256JwkFromSpki(spkiOf(readPublicKey(dir, k.id)))
    return { ...k, jwk: { ...jwk, kid: p256Thumbprint(jwk) }, ...(k.retiredAt === undefined ? {} : { retiredManifestEntry: { ...jwk, retiredAt: new Date(k.retiredAt).toISOString() } }) }
  }
  const c = readChain(dir, k.id)[0]
  return { ...k, ...(c === undefined ? {} : { certificate: { subject: c.subject.replace(/\n/g, ', '), validFrom: c.validFromDate.toISOString(), validTo: c.validToDate.toISOString(), fingerprint256: c.fingerprint256 } }) }
}
