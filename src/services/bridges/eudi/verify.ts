/**
 * Verifying an SD-JWT VC as a relying party would (`lifelong verify credential.txt`), with our
 * own code, independent of the library that helped issue it: RFC 9901 §7.1 (issuer-signed JWT,
 * Disclosures against their digests, no duplicates, no unreferenced Disclosure), §7.3 (the
 * KB-JWT under `cnf.jwk` and its `sd_hash`), SD-JWT VC §7 (`vct#integrity` of the type
 * metadata), and the Token Status List (§8.3: signature, `sub`, expiry, the status at `idx`).
 *
 * The issuer key comes only from the federation the verifier pinned: a manifest checked against
 * its trust anchor lists the portal's credential issuer key(s), and `iss` must be that member's
 * base URL. SD-JWT VC §3.5 lets a verifier fetch the key from `<iss>/.well-known/jwt-vc-issuer`,
 * but `iss` is whatever the credential says: a forger names their own server and their own key.
 * The type metadata and the status list are fetched (src/services/verify/fetch.ts: https, public
 * addresses, no redirects, deadline, size cap) and only from under the issuer's own base URL;
 * offline, they are reported as not checked.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import type { Manifest, Member } from '../../../core/federation/manifest.ts'
import { p256JwkFromSpki, p256PublicKey, p256Thumbprint } from '../../../core/crypto/p256.ts'
import { createSafeFetch, type SafeFetch } from '../../verify/fetch.ts'
import type { Check } from '../../../core/log/evidence.ts'
import { decodeStatusList, getStatus } from './status-list.ts'
import { sri } from './type-metadata.ts'
import { LifelongError } from '../../../core/errors.ts'

export type { Check }

export interface VerifyOptions {
  /** Manifests in force, each checked against a pinned trust anchor: the only source of issuer keys. */
  manifests: readonly Manifest[]
  /** Skip the checks that need the network (status list, type metadata). */
  offline?: boolean
  fetch?: SafeFetch
  /** Unix ms. */
  now?: number
  /**
   * A presentation to a relying party (OpenID4VP 1.0 §8.6, B.3.6; HAIP §6.1.1.1): the KB-JWT is
   * required, and its `nonce` and `aud` must be the request's (the `aud` the full client ID,
   * prefix included, §14.8), its `iat` at most `maxAgeSeconds` old (default 300).
   */
  keyBinding?: { nonce: string, audience: string, maxAgeSeconds?: number }
}

/** The credential issuer as the pinned federation names it. */
export interface CredentialIssuer {
  federation: string
  member: Member
}

export interface SdJwtVerification {
  ok: boolean
  checks: Check[]
  /** The issuer-signed claims with every disclosed claim in place (when the signature verified). */
  claims?: Record<string, unknown>
  issuer?: CredentialIssuer
}

const b64json = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
const digest = (s: string): string => createHash('sha256').update(s, 'ascii').digest('base64url')

/** Whether the text looks like an SD-JWT (compact: `<jwt>~<disclosure>~…~[kb-jwt]`). */
export function looksLikeSdJwt (text: string): boolean {
  const t = text.trim()
  if (!t.includes('~')) return false
  try {
    return (decodeProtectedHeader(t.split('~')[0] as string).typ as string | undefined)?.endsWith('sd-jwt') === true
  } catch {
    return false
  }
}

/** Collects every digest referenced by `_sd` arrays and `{ "...": digest }` array elements. */
function referencedDigests (value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as Record<string, unknown>)['...'] === 'string') out.push((v as Record<string, string>)['...'] as string)
      else referencedDigests(v, out)
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '_sd' && Array.isArray(v)) out.push(...v.filter((d): d is string => typeof d === 'string'))
      else referencedDigests(v, out)
    }
  }
}

interface IssuerKeyCandidate {
  federation: string
  member: Member
  key: KeyObject
  kid: string
  /** Set for a key retired after a rollover: it verifies only what is dated before this (Unix ms). */
  retiredAt?: number
}

// Keys decoded once per manifest object (a verifier checks many credentials against one manifest).
const keysOfManifest = new WeakMap<Manifest, IssuerKeyCandidate[]>()

/** Every credential issuer key of every pinned manifest. */
function issuerKeys (manifests: readonly Manifest[]): IssuerKeyCandidate[] {
  return manifests.flatMap((m) => {
    let keys = keysOfManifest.get(m)
    if (keys === undefined) {
      keys = m.members.flatMap((member) => [
        ...member.credentialIssuerKeys.map((spki) => ({ federation: m.federation, member, key: p256PublicKey(spki), kid: p256Thumbprint(p256JwkFromSpki(spki)) })),
        ...(member.retiredCredentialIssuerKeys ?? []).map((r) => ({ federation: m.federation, member, key: p256PublicKey(r.key), kid: p256Thumbprint(p256JwkFromSpki(r.key)), retiredAt: r.retiredAt }))
      ])
      keysOfManifest.set(m, keys)
    }
    return keys
  })
}

/** Puts the disclosed values in place of their digests (RFC 9901 §7.1 step 3), for display. */
function withDisclosures (value: unknown, byDigest: ReadonlyMap<string, unknown[]>): unknown {
  if (Array.isArray(value)) {
    return value.flatMap((v) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as Record<string, unknown>)['...'] === 'string') {
        const d = byDigest.get((v as Record<string, string>)['...'] as string)
        return d === undefined ? [] : [withDisclosures(d[1], byDigest)]
      }
      return [withDisclosures(v, byDigest)]
    })
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      if (k === '_sd' && Array.isArray(v)) {
        for (const d of v) {
          const disclosed = byDigest.get(String(d))
          if (disclosed?.length === 3) out[String(disclosed[1])] = withDisclosures(disclosed[2], byDigest)
        }
      } else if (k !== '_sd_alg') out[k] = withDisclosures(v, byDigest)
    }
    return out
  }
  return value
}

/** Whether `url` is under the issuer's base URL (the only place its documents are fetched from). */
function underBase (url: unknown, base: string): boolean {
  return typeof url === 'string' && url.startsWith(`${base.replace(/\/+$/, '')}/`)
}

export async function verifySdJwtVc (text: string, options: VerifyOptions): Promise<SdJwtVerification> {
  const checks: Check[] = []
  const out: SdJwtVerification = { ok: false, checks }
  const add = (name: string, ok: boolean, detail: string): boolean => {
    checks.push({ name, ok, detail })
    return ok
  }
  const done = (): SdJwtVerification => {
    out.ok = checks.length > 0 && checks.every((c) => c.ok)
    return out
  }
  const doFetch = options.fetch ?? createSafeFetch()
  const now = Math.floor((options.now ?? Date.now()) / 1000)
  const parts = text.trim().split('~')
  const jwt = parts[0] as string
  const kb = parts[parts.length - 1] as string
  const disclosures = parts.slice(1, -1).filter((d) => d !== '')
  let header: Record<string, unknown>
  let payload: Record<string, any>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
    payload = b64json(jwt.split('.')[1] as string) as Record<string, any>
  } catch {
    add('format', false, 'not an SD-JWT')
    return done()
  }
  if (!add('typ', header.typ === 'dc+sd-jwt', `typ ${String(header.typ)}`)) return done()
  add('vct', typeof payload.vct === 'string', `vct ${String(payload.vct)}`)
  if (!add('sd-alg', (payload._sd_alg ?? 'sha-256') === 'sha-256', `_sd_alg ${String(payload._sd_alg)}`)) return done()
  if (payload.exp !== undefined) add('expiry', typeof payload.exp === 'number' && payload.exp > now, `exp ${String(payload.exp)}`)

  // The issuer: a credential issuer key of the pinned federation verifies the signature, and the
  // credential names that member's base URL as `iss`; never a key the credential points to.
  const all = issuerKeys(options.manifests)
  const named = typeof header.kid === 'string' ? all.filter((c) => c.kid === header.kid) : all
  if (named.length === 0) {
    add(
      'issuer',
      false,
      options.manifests.length === 0
        ? 'no manifest of a pinned federation is at hand to name credential issuers (run `lifelong trust refresh`)'
        : `signed by a key (kid ${String(header.kid)}) that no pinned federation names as a credential issuer`
    )
    return done()
  }
  let signer: IssuerKeyCandidate | undefined
  for (const c of named) {
    try {
      await compactVerify(jwt, c.key, { algorithms: ['ES256'] })
      signer = c
      break
    } catch {}
  }
  if (signer === undefined) {
    add('signature', false, 'the issuer signature does not verify under the credential issuer key of the pinned federation')
    return done()
  }
  const m = signer.member
  // With x5c (SD-JWT VC §3.5, HAIP §6.1.1) the certificate must be for the key the manifest names:
  // the chain is for wallets in the wider ecosystem; trust here comes from the pinned federation.
  if (header.x5c !== undefined) {
    let leafKey: KeyObject | undefined
    try {
      leafKey = Array.isArray(header.x5c) && typeof header.x5c[0] === 'string' ? new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey : undefined
    } catch {}
    if (leafKey === undefined || !leafKey.export({ type: 'spki', format: 'der' }).equals(signer.key.export({ type: 'spki', format: 'der' }))) {
      add('signature', false, 'the x5c certificate is not for the credential issuer key the pinned federation names')
      return done()
    }
  }
  // The issuer coarsens iat to the UTC day (EUDI ARF ISSU_36), so membership is checked to the day.
  const iat = typeof payload.iat === 'number' ? payload.iat * 1000 : undefined
  const DAY = 86_400_000
  const issuerProblem = payload.iss !== m.httpBaseUrl
    ? `the credential names iss ${String(payload.iss)}, but the key is the credential issuer key of "${m.name}" at ${m.httpBaseUrl}`
    : !m.roles.includes('portal')
    ? `"${m.name}" is not a portal of the federation`
    : iat === undefined || iat + DAY <= m.validFrom || iat >= m.validTo
    ? `issued ${iat === undefined ? 'at no stated time' : new Date(iat).toISOString()}, outside "${m.name}"'s membership (${new Date(m.validFrom).toISOString()} to ${new Date(m.validTo).toISOString()})`
    // A retired key verifies only credentials of days that ended before its retirement: iat is a
    // day, and the key stopped signing at the rollover, an overlap of at least a day earlier.
    : signer.retiredAt !== undefined && iat + DAY > signer.retiredAt
    ? `dated ${new Date(iat).toISOString().slice(0, 10)}, but the key ${signer.kid} was retired at ${new Date(signer.retiredAt).toISOString()}: a signature by a retired key is refused`
    : undefined
  if (!add('issuer', issuerProblem === undefined, issuerProblem ?? `"${m.name}" (organisation ${m.organisationNumber}, ${m.httpBaseUrl}), a credential issuer of federation ${signer.federation}`)) return done()
  add('signature', true, `ES256 by the credential issuer key ${signer.kid}`)
  out.issuer = { federation: signer.federation, member: m }
  const issuerKeysOfMember = all.filter((c) => c.member === m)
  // Disclosures (RFC 9901 §7.1 steps 3–5): each digest referenced exactly once — by the payload or
  // by a Disclosure that is itself referenced (array elements of a disclosed array) — none duplicated.
  const referenced = new Set<string>()
  const initial: string[] = []
  referencedDigests(payload, initial)
  for (const d of initial) referenced.add(d)
  const decoded = new Map<string, unknown[]>()
  for (const d of disclosures) {
    const h = digest(d)
    if (decoded.has(h)) {
      add('disclosures', false, 'a Disclosure appears twice')
      return done()
    }
    let arr: unknown
    try {
      arr = b64json(d)
    } catch {
      add('disclosures', false, 'a Disclosure is not base64url JSON')
      return done()
    }
    if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3)) {
      add('disclosures', false, 'a Disclosure is not [salt, (name,) value]')
      return done()
    }
    decoded.set(h, arr)
  }
  const accepted = new Set<string>()
  for (let progress = true; progress;) {
    progress = false
    for (const [h, arr] of decoded) {
      if (accepted.has(h) || !referenced.has(h)) continue
      accepted.add(h)
      progress = true
      const nested: string[] = []
      referencedDigests(arr[arr.length - 1], nested)
      for (const n of nested) referenced.add(n)
    }
  }
  if (accepted.size !== decoded.size) {
    add('disclosures', false, 'a Disclosure is not referenced by the issuer-signed JWT (altered or foreign)')
    return done()
  }
  const names = [...decoded.values()].filter((a) => a.length === 3).map((a) => String(a[1]))
  add('disclosures', true, `${disclosures.length} Disclosure(s) match their digests: ${names.join(', ')}`)
  out.claims = withDisclosures(payload, decoded) as Record<string, unknown>

  // Key binding (RFC 9901 §7.3).
  const expected = options.keyBinding
  if (kb !== '') {
    try {
      const kbHeader = decodeProtectedHeader(kb)
      const kbPayload = b64json(kb.split('.')[1] as string) as Record<string, unknown>
      const cnf = payload.cnf as { jwk?: JWK } | undefined
      if (cnf?.jwk === undefined) throw new LifelongError('invalid', 'EUDI_KEY_BINDING_INVALID', 'no cnf.jwk to check it with')
      await compactVerify(kb, await importJWK(cnf.jwk, String(kbHeader.alg)), { algorithms: ['ES256', 'EdDSA'] })
      const sdHash = digest(`${parts.slice(0, -1).join('~')}~`)
      const maxAge = expected?.maxAgeSeconds ?? 600
      const fresh = typeof kbPayload.iat === 'number' && kbPayload.iat <= now + 60 && kbPayload.iat > now - maxAge
      const problem = kbHeader.typ !== 'kb+jwt'
        ? 'typ is not kb+jwt'
        : kbPayload.sd_hash !== sdHash
        ? 'sd_hash does not cover this presentation'
        : !fresh
        ? 'not fresh (iat)'
        : expected !== undefined && kbPayload.nonce !== expected.nonce
        ? 'nonce is not the one of this request'
        : expected !== undefined && kbPayload.aud !== expected.audience
        ? 'aud is not this verifier'
        : undefined
      add('key-binding', problem === undefined, problem === undefined ? `KB-JWT for ${String(kbPayload.aud)}, nonce ${String(kbPayload.nonce)}` : `the KB-JWT ${problem}`)
    } catch (err) {
      add('key-binding', false, `the KB-JWT does not verify: ${(err as Error).message}`)
    }
  } else if (expected !== undefined) {
    add('key-binding', false, 'no KB-JWT: a presentation must prove the holder key (HAIP §6.1.1.1)')
  } else {
    add('key-binding', true, 'no KB-JWT (an issued credential, not a presentation)')
  }

  // Type metadata integrity (SD-JWT VC §7) and status (Token Status List §8.3), fetched only from
  // under the issuer's base URL, through the safe fetch.
  if (options.offline === true) {
    add('online-checks', true, 'not checked (offline): type metadata, status list')
    return done()
  }
  if (typeof payload['vct#integrity'] === 'string') {
    try {
      if (!underBase(payload.vct, m.httpBaseUrl)) throw new LifelongError('forbidden', 'EUDI_URL_NOT_UNDER_ISSUER', `${String(payload.vct)} is not under the issuer's base URL ${m.httpBaseUrl}`)
      const bytes = (await doFetch(String(payload.vct), { accept: 'application/json' })).body
      add('type-metadata', sri(bytes) === payload['vct#integrity'], `type metadata of ${String(payload.vct)} ${sri(bytes) === payload['vct#integrity'] ? 'matches' : 'does not match'} vct#integrity`)
    } catch (err) {
      add('type-metadata', false, `cannot check the type metadata: ${(err as Error).message}`)
    }
  }
  const sl = payload.status?.status_list as { idx?: number, uri?: string } | undefined
  if (sl !== undefined) {
    try {
      if (!underBase(sl.uri, m.httpBaseUrl)) throw new LifelongError('forbidden', 'EUDI_URL_NOT_UNDER_ISSUER', `${String(sl.uri)} is not under the issuer's base URL ${m.httpBaseUrl}`)
      const token = new TextDecoder().decode((await doFetch(String(sl.uri), { accept: 'application/statuslist+jwt' })).body).trim()
      const slHeader = decodeProtectedHeader(token)
      // After a rollover the lists are signed by the new key: any key the manifest names for the issuer.
      const slKey = issuerKeysOfMember.find((c) => c.kid === slHeader.kid)
      if (slKey === undefined) throw new LifelongError('invalid', 'EUDI_STATUS_LIST_INVALID', 'the status list is not signed by a credential issuer key of the issuer')
      await compactVerify(token, slKey.key, { algorithms: ['ES256'] })
      const slPayload = b64json(token.split('.')[1] as string) as { sub?: string, iat?: number, exp?: number, status_list?: { bits?: 1 | 2 | 4 | 8, lst?: string } }
      if (slKey.retiredAt !== undefined && !(typeof slPayload.iat === 'number' && slPayload.iat * 1000 < slKey.retiredAt)) {
        throw new LifelongError('invalid', 'EUDI_STATUS_LIST_INVALID', `the status list is signed by the key ${slKey.kid}, retired at ${new Date(slKey.retiredAt).toISOString()}`)
      }
      if (slHeader.typ !== 'statuslist+jwt' || slPayload.sub !== sl.uri) throw new LifelongError('invalid', 'EUDI_STATUS_LIST_INVALID', 'not the status list the credential names')
      if (slPayload.exp !== undefined && slPayload.exp <= now) throw new LifelongError('invalid', 'EUDI_STATUS_LIST_INVALID', 'the status list token has expired')
      const status = getStatus(decodeStatusList(String(slPayload.status_list?.lst)), Number(sl.idx), slPayload.status_list?.bits ?? 1)
      add('status', status === 0, status === 0 ? 'VALID' : status === 1 ? 'INVALID (revoked)' : `status 0x${status.toString(16)}`)
    } catch (err) {
      add('status', false, `cannot check the status: ${(err as Error).message}`)
    }
  }
  return done()
}
