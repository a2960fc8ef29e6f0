/**
 * Verifying an SD-JWT VC as a relying party would (`lifelong verify credential.txt`), with our
 * own code, independent of the library that helped issue it: RFC 9901 §7.1 (issuer-signed JWT,
 * Disclosures against their digests, no duplicates, no unreferenced Disclosure), §7.3 (the
 * KB-JWT under `cnf.jwk` and its `sd_hash`), SD-JWT VC §3.5 (issuer key from the JWT VC Issuer
 * Metadata of `iss`, §5) and §7 (`vct#integrity` of the type metadata), and the Token Status
 * List (§8.3: signature, `sub`, expiry, the status at `idx`). Online steps use `fetch`; offline,
 * they are reported as not checked.
 */
import { createHash } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { decodeStatusList, getStatus } from './status-list.ts'
import { sri } from './type-metadata.ts'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

export interface VerifyOptions {
  /** Skip the checks that need the network (issuer keys, status list, type metadata). */
  offline?: boolean
  fetch?: typeof fetch
  /** Unix ms. */
  now?: number
  /** Issuer JWKS to use instead of fetching the JWT VC Issuer Metadata. */
  issuerJwks?: { keys: JWK[] }
}

const b64json = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
const digest = (s: string): string => createHash('sha256').update(s, 'ascii').digest('base64url')

/** Whether the text looks like an SD-JWT (compact: `<jwt>~<disclosure>~…~[kb-jwt]`). */
export function looksLikeSdJwt (text: string): boolean {
  const t = text.trim()
  if (!t.includes('~')) return false
  try {
    return (decodeProtectedHeader(t.split('~')[0] as string).typ as string | undefined)?.endsWith('sd-jwt') === true
  } catch { return false }
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

export async function verifySdJwtVc (text: string, options: VerifyOptions = {}): Promise<Check[]> {
  const checks: Check[] = []
  const add = (name: string, ok: boolean, detail: string): boolean => { checks.push({ name, ok, detail }); return ok }
  const doFetch = options.fetch ?? fetch
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
    return checks
  }
  if (!add('typ', header.typ === 'dc+sd-jwt', `typ ${String(header.typ)}`)) return checks
  add('vct', typeof payload.vct === 'string', `vct ${String(payload.vct)}`)
  if (!add('sd-alg', (payload._sd_alg ?? 'sha-256') === 'sha-256', `_sd_alg ${String(payload._sd_alg)}`)) return checks
  if (payload.exp !== undefined) add('expiry', typeof payload.exp === 'number' && payload.exp > now, `exp ${String(payload.exp)}`)

  // Issuer key: JWT VC Issuer Metadata (SD-JWT VC §5), `issuer` identical to `iss`.
  let jwks = options.issuerJwks
  if (jwks === undefined && options.offline !== true) {
    try {
      const iss = String(payload.iss)
      const u = new URL(iss)
      const meta = await (await doFetch(`${u.origin}/.well-known/jwt-vc-issuer${u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '')}`)).json() as { issuer?: string, jwks?: { keys: JWK[] } }
      if (add('issuer-metadata', meta.issuer === iss && Array.isArray(meta.jwks?.keys), `JWT VC Issuer Metadata of ${iss}`)) jwks = meta.jwks
    } catch (err) {
      add('issuer-metadata', false, `cannot fetch the issuer's metadata: ${(err as Error).message}`)
    }
  }
  if (jwks === undefined) {
    add('signature', options.offline === true, 'not checked (offline, no issuer keys given)')
  } else {
    const jwk = jwks.keys.find((k) => k.kid === header.kid) ?? (jwks.keys.length === 1 ? jwks.keys[0] : undefined)
    let ok = false
    try { ok = jwk !== undefined && (await compactVerify(jwt, await importJWK(jwk, String(header.alg)), { algorithms: ['ES256', 'ES384', 'EdDSA'] })) !== undefined } catch {}
    if (!add('signature', ok, ok ? `ES256 by ${String(header.kid)}` : 'the issuer signature does not verify')) return checks
  }

  // Disclosures (RFC 9901 §7.1 steps 3–5): each digest referenced exactly once — by the payload or
  // by a Disclosure that is itself referenced (array elements of a disclosed array) — none duplicated.
  const referenced = new Set<string>()
  const initial: string[] = []
  referencedDigests(payload, initial)
  for (const d of initial) referenced.add(d)
  const decoded = new Map<string, unknown[]>()
  for (const d of disclosures) {
    const h = digest(d)
    if (decoded.has(h)) { add('disclosures', false, 'a Disclosure appears twice'); return checks }
    let arr: unknown
    try { arr = b64json(d) } catch { add('disclosures', false, 'a Disclosure is not base64url JSON'); return checks }
    if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3)) { add('disclosures', false, 'a Disclosure is not [salt, (name,) value]'); return checks }
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
  if (accepted.size !== decoded.size) { add('disclosures', false, 'a Disclosure is not referenced by the issuer-signed JWT (altered or foreign)'); return checks }
  const names = [...decoded.values()].filter((a) => a.length === 3).map((a) => String(a[1]))
  add('disclosures', true, `${disclosures.length} Disclosure(s) match their digests: ${names.join(', ')}`)

  // Key binding (RFC 9901 §7.3).
  if (kb !== '') {
    try {
      const kbHeader = decodeProtectedHeader(kb)
      const kbPayload = b64json(kb.split('.')[1] as string) as Record<string, unknown>
      const cnf = payload.cnf as { jwk?: JWK } | undefined
      if (cnf?.jwk === undefined) throw new Error('no cnf.jwk to check it with')
      await compactVerify(kb, await importJWK(cnf.jwk, String(kbHeader.alg)))
      const sdHash = digest(`${parts.slice(0, -1).join('~')}~`)
      const fresh = typeof kbPayload.iat === 'number' && Math.abs(kbPayload.iat - now) < 600
      add('key-binding', kbHeader.typ === 'kb+jwt' && kbPayload.sd_hash === sdHash && fresh, `KB-JWT for ${String(kbPayload.aud)}, nonce ${String(kbPayload.nonce)}${fresh ? '' : ' (not fresh)'}`)
    } catch (err) {
      add('key-binding', false, `the KB-JWT does not verify: ${(err as Error).message}`)
    }
  } else {
    add('key-binding', true, 'no KB-JWT (an issued credential, not a presentation)')
  }

  // Type metadata integrity (SD-JWT VC §7) and status (Token Status List §8.3).
  if (options.offline !== true) {
    if (typeof payload['vct#integrity'] === 'string') {
      try {
        const bytes = new Uint8Array(await (await doFetch(String(payload.vct))).arrayBuffer())
        add('type-metadata', sri(bytes) === payload['vct#integrity'], `type metadata of ${String(payload.vct)} ${sri(bytes) === payload['vct#integrity'] ? 'matches' : 'does not match'} vct#integrity`)
      } catch (err) { add('type-metadata', false, `cannot fetch the type metadata: ${(err as Error).message}`) }
    }
    const sl = payload.status?.status_list as { idx?: number, uri?: string } | undefined
    if (sl !== undefined) {
      try {
        const token = await (await doFetch(String(sl.uri), { headers: { accept: 'application/statuslist+jwt' } })).text()
        const slHeader = decodeProtectedHeader(token)
        const jwk = jwks?.keys.find((k) => k.kid === slHeader.kid)
        if (jwk === undefined) throw new Error('the status list is not signed by a key of the issuer')
        await compactVerify(token, await importJWK(jwk, String(slHeader.alg)))
        const slPayload = b64json(token.split('.')[1] as string) as { sub?: string, exp?: number, status_list?: { bits?: 1 | 2 | 4 | 8, lst?: string } }
        if (slHeader.typ !== 'statuslist+jwt' || slPayload.sub !== sl.uri) throw new Error('not the status list the credential names')
        if (slPayload.exp !== undefined && slPayload.exp <= now) throw new Error('the status list token has expired')
        const status = getStatus(decodeStatusList(String(slPayload.status_list?.lst)), Number(sl.idx), slPayload.status_list?.bits ?? 1)
        add('status', status === 0, status === 0 ? 'VALID' : status === 1 ? 'INVALID (revoked)' : `status 0x${status.toString(16)}`)
      } catch (err) { add('status', false, `cannot check the status: ${(err as Error).message}`) }
    }
  }
  return checks
}
