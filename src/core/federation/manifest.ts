/**
 * The federation manifest: the operator-signed list of members (the role X-Road's global
 * configuration plays). Pure functions: build one from JSON, sign it, open a signed one, and
 * validate its content, reporting every bad field at once.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { lifelong } from '../gen/proto.js'
import { LifelongError, ValidationError, type FieldError } from '../errors.ts'
import { Domains, decodeEnvelope, sealEnvelope, verifyDecodedEnvelope, verifyEnvelopeMlDsa } from '../crypto/envelope.ts'
import { formatPqPublicKey, parsePqPublicKey, pqPublicKeyObject, type PqSigningKey } from '../crypto/ml-dsa.ts'
import { decodePeerIdBytes, parsePeerId, type SigningKey } from '../crypto/ed25519.ts'
import { validateOrganisationNumber } from '../identifiers/index.ts'
import { isRole, roleCombinationProblems, type Role } from './roles.ts'
import { p256JwkFromSpki, p256PublicKey, p256SpkiFromJwk, p256Thumbprint, type P256Jwk } from '../crypto/p256.ts'

const FederationManifest = lifelong.federation.FederationManifest
export const MANIFEST_PAYLOAD_TYPE = 'lifelong.federation.FederationManifest'
/** A manifest larger than this is refused before decoding. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_MEMBERS = 10_000
/** Most credential issuer keys per member (a key in use and its successor, with room to spare). */
const MAX_CREDENTIAL_ISSUER_KEYS = 4

export interface Member {
  /** Base58 peer ID. */
  readonly peerId: string
  readonly peerIdBytes: Uint8Array
  /** Raw Ed25519 public key of the node (from its peer ID). */
  readonly publicKey: Uint8Array
  readonly organisationNumber: string
  readonly name: string
  readonly roles: readonly Role[]
  readonly multiaddrs: readonly string[]
  readonly httpBaseUrl: string
  /** Unix ms, inclusive. */
  readonly validFrom: number
  /** Unix ms, exclusive. */
  readonly validTo: number
  /** SD-JWT VC issuer keys (EC P-256 SPKI DER) of a portal; empty for other members. */
  readonly credentialIssuerKeys: readonly Uint8Array[]
  /** Raw ML-DSA-65 public key of a member that signs hybrid (checkpoints, cosignatures, seals). */
  readonly mlDsaPublicKey?: Uint8Array
  /** The peer ID of the member this one follows as a warm standby (docs/OPERATIONS.md §Warm standby and failover). */
  readonly standbyOf?: string
  /** How its primary replicates to this standby (default asynchronous). */
  readonly replication?: ReplicationMode
  /** A former primary that must not act as primary any more. */
  readonly fenced?: boolean
}

/** How a primary replicates to its standby: acknowledging writes once the standby holds them, or at once. */
export type ReplicationMode = 'synchronous' | 'asynchronous'
export const REPLICATION_MODES: readonly ReplicationMode[] = ['synchronous', 'asynchronous']

/** Who witnesses which log (docs/LOG.md §Witness sets; src/core/federation/witnessing.ts). */
export interface WitnessPolicy {
  /** Peer IDs of the members that may witness; empty: every member. */
  readonly pool: readonly string[]
  /** Witnesses per log. */
  readonly perLog: number
  /** Cosignatures of the log's witnesses a verifier requires. */
  readonly threshold: number
}

/** Most witnesses per log a manifest may ask for. */
export const MAX_WITNESSES_PER_LOG = 64

export interface Manifest {
  readonly federation: string
  readonly serial: number
  readonly issuedAt: number
  readonly expiresAt: number
  readonly members: readonly Member[]
  /** Unset: every member witnesses every other member's log. */
  readonly witnessing?: WitnessPolicy
  /** The member that acts for a role, by role, where the operator named one (a promoted standby). */
  readonly primaries?: Readonly<Record<string, string>>
}

/** A manifest together with the exact signed bytes it came in and the key that signed it. */
export interface SignedManifest {
  readonly manifest: Manifest
  readonly envelope: Uint8Array
  readonly signerKey: Uint8Array
  /** The trusted ML-DSA-65 operator key whose valid signature the envelope carries (hybrid), if any. */
  readonly mlDsaSignerKey?: Uint8Array
}

/** The JSON form operators write and `lifelong manifest sign` reads. Times are ISO 8601. */
export interface ManifestJson {
  federation: string
  serial: number
  issuedAt?: string
  expiresAt: string
  members: Array<{
    peerId: string
    organisationNumber: string
    name: string
    roles: string[]
    multiaddrs?: string[]
    httpBaseUrl: string
    validFrom: string
    validTo: string
    /** The portal's SD-JWT VC issuer keys as public JWKs (`kid` is accepted and ignored). */
    credentialIssuerKeys?: Array<P256Jwk & { kid?: string }>
    /** The member's ML-DSA-65 public key, "ml-dsa-65:<base64>", if it signs hybrid. */
    mlDsaPublicKey?: string
    /** The peer ID of the member this one follows as a warm standby. */
    standbyOf?: string
    /** `synchronous` or `asynchronous` (default), for a standby. */
    replication?: string
    /** A former primary that must not act as primary any more. */
    fenced?: boolean
  }>
  /** Who witnesses which log; omit for every member witnessing every other. */
  witnessing?: { pool?: string[], perLog: number, threshold: number }
  /** The member that acts for a role (its peer ID), by role. */
  primaries?: Record<string, string>
}

export function isMemberValidAt (member: Member, at: number): boolean {
  return at >= member.validFrom && at < member.validTo
}

function isHttpUrl (text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === ''
  } catch {
    return false
  }
}

/**
 * Checks a decoded manifest message and narrows it to a {@link Manifest}. Pure; collects every
 * problem. Used for manifests built from JSON and for manifests received over the network.
 */
export function narrowManifest (m: lifelong.federation.IFederationManifest): { manifest?: Manifest, fields: FieldError[] } {
  const fields: FieldError[] = []
  const bad = (path: string, message: string): void => {
    fields.push({ path, message })
  }
  const federation = typeof m.federation === 'string' ? m.federation : ''
  if (!/^[a-z0-9][a-z0-9.-]{0,99}$/.test(federation)) bad('/federation', 'must be a lower-case federation identifier')
  const serial = Number(m.serial ?? 0)
  if (!Number.isSafeInteger(serial) || serial < 1) bad('/serial', 'must be a positive integer')
  const issuedAt = Number(m.issuedAtMs ?? 0)
  const expiresAt = Number(m.expiresAtMs ?? 0)
  if (!Number.isSafeInteger(issuedAt) || issuedAt <= 0) bad('/issuedAt', 'missing or not a time')
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= issuedAt) bad('/expiresAt', 'must be a time after issuedAt')
  const rawMembers = m.members ?? []
  if (rawMembers.length === 0) bad('/members', 'a manifest needs at least one member')
  if (rawMembers.length > MAX_MEMBERS) bad('/members', `at most ${MAX_MEMBERS} members`)

  const members: Member[] = []
  const seen = new Set<string>()
  rawMembers.forEach((raw, i) => {
    const at = `/members/${i}`
    const before = fields.length
    const peerIdBytes = raw.peerId instanceof Uint8Array ? raw.peerId : new Uint8Array()
    const decoded = decodePeerIdBytes(peerIdBytes)
    const publicKey = decoded?.publicKey
    const peerId = decoded?.peerId.toString() ?? ''
    if (decoded === undefined) bad(`${at}/peerId`, 'not an Ed25519 peer ID')
    if (peerId !== '' && seen.has(peerId)) bad(`${at}/peerId`, 'listed twice')
    seen.add(peerId)
    const org = typeof raw.organisationNumber === 'string' ? raw.organisationNumber : ''
    if (!validateOrganisationNumber(org).valid) bad(`${at}/organisationNumber`, 'not a valid organisation number')
    const name = typeof raw.name === 'string' ? raw.name : ''
    if (name.length === 0 || name.length > 200) bad(`${at}/name`, 'must be 1–200 characters')
    const roles = raw.roles ?? []
    for (const problem of roleCombinationProblems(roles)) bad(`${at}/roles`, problem)
    const addrs = raw.multiaddrs ?? []
    addrs.forEach((a, j) => {
      try {
        const ma = multiaddr(a)
        if (ma.getComponents().some((c) => c.name === 'p2p')) bad(`${at}/multiaddrs/${j}`, 'must not contain /p2p/ (the peer ID is a field of its own)')
      } catch {
        bad(`${at}/multiaddrs/${j}`, 'not a valid multiaddr')
      }
    })
    const httpBaseUrl = typeof raw.httpBaseUrl === 'string' ? raw.httpBaseUrl : ''
    if (!isHttpUrl(httpBaseUrl)) bad(`${at}/httpBaseUrl`, 'must be an http(s) URL without credentials, query or fragment')
    const validFrom = Number(raw.validFromMs ?? 0)
    const validTo = Number(raw.validToMs ?? 0)
    if (!Number.isSafeInteger(validFrom) || validFrom <= 0) bad(`${at}/validFrom`, 'missing or not a time')
    if (!Number.isSafeInteger(validTo) || validTo <= validFrom) bad(`${at}/validTo`, 'must be a time after validFrom')
    const issuerKeys = raw.credentialIssuerKeys ?? []
    if (issuerKeys.length > MAX_CREDENTIAL_ISSUER_KEYS) bad(`${at}/credentialIssuerKeys`, `at most ${MAX_CREDENTIAL_ISSUER_KEYS} keys`)
    issuerKeys.forEach((k, j) => {
      try {
        p256PublicKey(k)
      } catch {
        bad(`${at}/credentialIssuerKeys/${j}`, 'not an EC P-256 public key')
      }
    })
    const mlDsa = raw.mlDsaPublicKey instanceof Uint8Array && raw.mlDsaPublicKey.length > 0 ? raw.mlDsaPublicKey : undefined
    if (mlDsa !== undefined && pqPublicKeyObject(mlDsa) === undefined) bad(`${at}/mlDsaPublicKey`, 'not an ML-DSA-65 public key (1952 bytes)')
    let standbyOf: string | undefined
    if (raw.standbyOf instanceof Uint8Array && raw.standbyOf.length > 0) {
      standbyOf = decodePeerIdBytes(raw.standbyOf)?.peerId.toString()
      if (standbyOf === undefined) bad(`${at}/standbyOf`, 'not an Ed25519 peer ID')
      else if (standbyOf === peerId) bad(`${at}/standbyOf`, 'a member cannot be its own standby')
    }
    const replication = typeof raw.replication === 'string' && raw.replication !== '' ? raw.replication : undefined
    if (replication !== undefined && !(REPLICATION_MODES as readonly string[]).includes(replication)) bad(`${at}/replication`, 'must be synchronous or asynchronous')
    if (replication !== undefined && standbyOf === undefined) bad(`${at}/replication`, 'only a standby has a replication mode')
    const fenced = raw.fenced === true
    if (fenced && standbyOf !== undefined) bad(`${at}/fenced`, 'a standby is not fenced (it never acts as primary)')
    if (fields.length === before && publicKey !== undefined) {
      members.push({
        peerId,
        peerIdBytes: new Uint8Array(peerIdBytes),
        publicKey,
        organisationNumber: org,
        name,
        roles: roles.filter(isRole),
        multiaddrs: [...addrs],
        httpBaseUrl: httpBaseUrl.replace(/\/+$/, ''),
        validFrom,
        validTo,
        credentialIssuerKeys: issuerKeys.map((k) => new Uint8Array(k)),
        ...(mlDsa === undefined ? {} : { mlDsaPublicKey: new Uint8Array(mlDsa) }),
        ...(standbyOf === undefined ? {} : { standbyOf, replication: (replication ?? 'asynchronous') as ReplicationMode }),
        ...(fenced ? { fenced } : {})
      })
    }
  })
  // A standby follows a member of its own organisation with the same roles, which is no standby itself.
  members.forEach((m, i) => {
    if (m.standbyOf === undefined) return
    const primary = members.find((p) => p.peerId === m.standbyOf)
    if (primary === undefined) bad(`/members/${i}/standbyOf`, 'not the peer ID of a member')
    else if (primary.organisationNumber !== m.organisationNumber) bad(`/members/${i}/standbyOf`, 'a standby follows a member of its own organisation')
    else if (primary.standbyOf !== undefined) bad(`/members/${i}/standbyOf`, 'a standby follows a member that is not a standby itself')
    else if (primary.roles.join(',') !== m.roles.join(',')) bad(`/members/${i}/roles`, 'a standby has the roles of the member it follows')
  })
  const primaries: Record<string, string> = {}
  ;(m.primaries ?? []).forEach((p, i) => {
    const role = typeof p.role === 'string' ? p.role : ''
    const id = decodePeerIdBytes(p.peerId instanceof Uint8Array ? p.peerId : new Uint8Array())?.peerId.toString()
    const member = members.find((x) => x.peerId === id)
    if (!isRole(role)) bad(`/primaries/${i}/role`, 'not a role')
    else if (primaries[role] !== undefined) bad(`/primaries/${i}/role`, 'named twice')
    else if (member === undefined) bad(`/primaries/${i}/peerId`, 'not the peer ID of a member')
    else if (!member.roles.includes(role)) bad(`/primaries/${i}/peerId`, `the member does not have the role ${role}`)
    else if (member.standbyOf !== undefined || member.fenced === true) bad(`/primaries/${i}/peerId`, 'a standby or a fenced member does not act for a role')
    else primaries[role] = member.peerId
  })
  let witnessing: WitnessPolicy | undefined
  if (m.witnessing != null) {
    const w = m.witnessing
    const perLog = Number(w.perLog ?? 0)
    const threshold = Number(w.threshold ?? 0)
    if (!Number.isSafeInteger(perLog) || perLog < 1 || perLog > MAX_WITNESSES_PER_LOG) bad('/witnessing/perLog', `must be 1–${MAX_WITNESSES_PER_LOG}`)
    if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > perLog) bad('/witnessing/threshold', 'must be 1–perLog')
    const pool: string[] = []
    ;(w.pool ?? []).forEach((bytes, i) => {
      const id = decodePeerIdBytes(bytes instanceof Uint8Array ? bytes : new Uint8Array())?.peerId.toString()
      if (id === undefined || !seen.has(id)) bad(`/witnessing/pool/${i}`, 'not the peer ID of a member')
      else if (pool.includes(id)) bad(`/witnessing/pool/${i}`, 'listed twice')
      else pool.push(id)
    })
    // Every log needs perLog witnesses other than its own member.
    const candidates = pool.length === 0 ? rawMembers.length : pool.length
    if (Number.isSafeInteger(perLog) && perLog >= candidates) bad('/witnessing/perLog', `must be below the number of witnesses in the pool (${candidates})`)
    witnessing = { pool, perLog, threshold }
  }
  if (fields.length > 0) return { fields }
  return { manifest: { federation, serial, issuedAt, expiresAt, members, ...(witnessing === undefined ? {} : { witnessing }), ...(Object.keys(primaries).length === 0 ? {} : { primaries }) }, fields }
}

function parseTime (value: unknown, path: string, fields: FieldError[]): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) fields.push({ path, message: 'must be an ISO 8601 time' })
  return ms
}

/** A peer ID field of the JSON form as multihash bytes (empty when absent; a bad one is reported). */
function peerIdField (value: unknown, path: string, fields: FieldError[]): Uint8Array {
  if (value === undefined || value === '') return new Uint8Array()
  try {
    return parsePeerId(String(value)).toMultihash().bytes
  } catch {
    fields.push({ path, message: 'not an Ed25519 peer ID' })
    return new Uint8Array()
  }
}

/** Builds the manifest message from its JSON form; throws MANIFEST_INVALID listing every bad field. */
export function manifestFromJson (json: ManifestJson, now: number = Date.now()): lifelong.federation.FederationManifest {
  const fields: FieldError[] = []
  if (json === null || typeof json !== 'object') throw new ValidationError('MANIFEST_INVALID', 'manifest JSON must be an object', [{ path: '/', message: 'not an object' }])
  const members = (Array.isArray(json.members) ? json.members : []).map((m, i) => {
    let peerId = new Uint8Array()
    try {
      peerId = parsePeerId(String(m.peerId)).toMultihash().bytes
    } catch {
      fields.push({ path: `/members/${i}/peerId`, message: 'not an Ed25519 peer ID' })
    }
    return {
      peerId,
      organisationNumber: m.organisationNumber,
      name: m.name,
      roles: Array.isArray(m.roles) ? m.roles : [],
      multiaddrs: Array.isArray(m.multiaddrs) ? m.multiaddrs : [],
      httpBaseUrl: m.httpBaseUrl,
      validFromMs: parseTime(m.validFrom, `/members/${i}/validFrom`, fields),
      validToMs: parseTime(m.validTo, `/members/${i}/validTo`, fields),
      credentialIssuerKeys: (Array.isArray(m.credentialIssuerKeys) ? m.credentialIssuerKeys : []).flatMap((jwk, j) => {
        try {
          return [p256SpkiFromJwk(jwk)]
        } catch (err) {
          fields.push({ path: `/members/${i}/credentialIssuerKeys/${j}`, message: (err as Error).message })
          return []
        }
      }),
      mlDsaPublicKey: (() => {
        if (m.mlDsaPublicKey === undefined) return new Uint8Array()
        try {
          return parsePqPublicKey(String(m.mlDsaPublicKey))
        } catch (err) {
          fields.push({ path: `/members/${i}/mlDsaPublicKey`, message: (err as Error).message })
          return new Uint8Array()
        }
      })(),
      standbyOf: peerIdField(m.standbyOf, `/members/${i}/standbyOf`, fields),
      replication: typeof m.replication === 'string' ? m.replication : '',
      fenced: m.fenced === true
    }
  })
  const primaries = Object.entries(json.primaries ?? {}).map(([role, peer]) => ({ role, peerId: peerIdField(peer, `/primaries/${role}`, fields) }))
  const witnessing = json.witnessing === undefined
    ? undefined
    : {
      pool: (Array.isArray(json.witnessing.pool) ? json.witnessing.pool : []).flatMap((p, i) => {
        try {
          return [parsePeerId(String(p)).toMultihash().bytes]
        } catch {
          fields.push({ path: `/witnessing/pool/${i}`, message: 'not an Ed25519 peer ID' })
          return []
        }
      }),
      perLog: json.witnessing.perLog,
      threshold: json.witnessing.threshold
    }
  const message = FederationManifest.create({
    ...(witnessing === undefined ? {} : { witnessing }),
    federation: json.federation,
    serial: json.serial,
    issuedAtMs: json.issuedAt === undefined ? now : parseTime(json.issuedAt, '/issuedAt', fields),
    expiresAtMs: parseTime(json.expiresAt, '/expiresAt', fields),
    members,
    primaries
  })
  const narrowed = narrowManifest(message)
  const all = [...fields, ...narrowed.fields.filter((f) => !fields.some((g) => g.path === f.path))]
  if (all.length > 0) throw new ValidationError('MANIFEST_INVALID', `manifest: ${all.map((f) => `${f.path} ${f.message}`).join('; ')}`, all)
  return message
}

/**
 * Signs a manifest with the operator key; returns the SignedEnvelope bytes. With the operator's
 * ML-DSA-65 key as well, the envelope is hybrid (docs/SECURITY.md §Post-quantum hybrid signatures).
 */
export function signManifest (operatorKey: SigningKey, manifest: lifelong.federation.IFederationManifest, operatorMlDsaKey?: PqSigningKey): Uint8Array {
  const payload = FederationManifest.encode(manifest).finish()
  return sealEnvelope(operatorKey, Domains.manifest, MANIFEST_PAYLOAD_TYPE, payload, operatorMlDsaKey)
}

/**
 * Opens signed manifest bytes: size cap, decode, signer among the trusted operator keys,
 * signature, payload decode, content checks, federation id. Each failure has its own code.
 * Expiry is not checked here (an expired manifest can still be inspected). An ML-DSA-65
 * signature by one of `trustedMlDsaKeys` is verified too (a failing one is refused) and
 * reported as `mlDsaSignerKey`; whether one is required is the caller's policy.
 */
export function openManifest (bytes: Uint8Array, trustedKeys: readonly Uint8Array[], federation: string, trustedMlDsaKeys: readonly Uint8Array[] = []): SignedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new LifelongError('too-large', 'MANIFEST_TOO_LARGE', `manifest over ${MAX_MANIFEST_BYTES} bytes`)
  let env
  try {
    env = decodeEnvelope(bytes)
  } catch (err) {
    throw new LifelongError('invalid', 'MANIFEST_MALFORMED', 'not a signed manifest', { cause: err })
  }
  if (env.payloadType !== MANIFEST_PAYLOAD_TYPE) throw new LifelongError('invalid', 'MANIFEST_MALFORMED', 'not a manifest payload')
  if (!trustedKeys.some((k) => Buffer.compare(k, env.publicKey) === 0)) {
    throw new LifelongError('forbidden', 'MANIFEST_UNTRUSTED_SIGNER', 'the manifest is not signed by a trusted operator key')
  }
  try {
    verifyDecodedEnvelope(env, Domains.manifest)
  } catch (err) {
    throw new LifelongError('unauthenticated', 'MANIFEST_BAD_SIGNATURE', 'the manifest signature does not verify', { cause: err })
  }
  let mlDsaSigner: Uint8Array | 'absent'
  try {
    mlDsaSigner = verifyEnvelopeMlDsa(env, Domains.manifest, trustedMlDsaKeys)
  } catch (err) {
    throw new LifelongError('unauthenticated', 'MANIFEST_BAD_SIGNATURE', 'the manifest\'s ML-DSA-65 signature does not verify', { cause: err })
  }
  let message
  try {
    message = FederationManifest.decode(env.payload)
  } catch (err) {
    throw new LifelongError('invalid', 'MANIFEST_MALFORMED', 'the signed manifest payload does not decode', { cause: err })
  }
  const { manifest, fields } = narrowManifest(message)
  if (manifest === undefined) throw new ValidationError('MANIFEST_INVALID', `signed manifest content invalid: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, fields)
  if (manifest.federation !== federation) {
    throw new LifelongError('forbidden', 'MANIFEST_WRONG_FEDERATION', `manifest of federation "${manifest.federation}", this node belongs to "${federation}"`)
  }
  return { manifest, envelope: new Uint8Array(bytes), signerKey: new Uint8Array(env.publicKey), ...(mlDsaSigner === 'absent' ? {} : { mlDsaSignerKey: mlDsaSigner }) }
}

/** A readable JSON view of a manifest (for `lifelong manifest show` and the HTTP API). */
export function manifestToJson (manifest: Manifest): ManifestJson & { issuedAt: string } {
  const iso = (ms: number): string => new Date(ms).toISOString()
  return {
    federation: manifest.federation,
    serial: manifest.serial,
    issuedAt: iso(manifest.issuedAt),
    expiresAt: iso(manifest.expiresAt),
    members: manifest.members.map((m) => ({
      peerId: m.peerId,
      organisationNumber: m.organisationNumber,
      name: m.name,
      roles: [...m.roles],
      multiaddrs: [...m.multiaddrs],
      httpBaseUrl: m.httpBaseUrl,
      validFrom: iso(m.validFrom),
      validTo: iso(m.validTo),
      ...(m.credentialIssuerKeys.length === 0
        ? {}
        : {
          credentialIssuerKeys: m.credentialIssuerKeys.map((k) => {
            const jwk = p256JwkFromSpki(k)
            return { ...jwk, kid: p256Thumbprint(jwk) }
          })
        }),
      ...(m.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: formatPqPublicKey(m.mlDsaPublicKey) }),
      ...(m.standbyOf === undefined ? {} : { standbyOf: m.standbyOf, replication: m.replication ?? 'asynchronous' }),
      ...(m.fenced === true ? { fenced: true } : {})
    })),
    ...(manifest.witnessing === undefined ? {} : { witnessing: { pool: [...manifest.witnessing.pool], perLog: manifest.witnessing.perLog, threshold: manifest.witnessing.threshold } }),
    ...(manifest.primaries === undefined ? {} : { primaries: { ...manifest.primaries } })
  }
}
