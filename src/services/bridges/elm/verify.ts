/**
 * Verifying a sealed ELM credential (`lifelong verify credential.jwt`): the VC-JOSE seal under
 * the key its `kid` names and that the issuer is that key (seal.ts); that the key is the node
 * key of the institution the credential names, as a manifest checked against the pinned trust
 * anchor lists it (a did:key proves only that someone holds the key); the EDC JSON Schema
 * 2.1.0; and its validity period (docs/CROSS-BORDER.md §What a relying party checks).
 */
import { isLifelongError } from '../../../core/errors.ts'
import type { Manifest } from '../../../core/federation/manifest.ts'
import type { Check } from '../../../core/log/evidence.ts'
import type { CredentialIssuer } from '../eudi/verify.ts'
import type { ElmCredential } from './credential.ts'
import { createElmSchemaValidator } from './schema.ts'
import { openElm } from './seal.ts'

export function looksLikeSealedElm (text: string): boolean {
  const t = text.trim()
  if (t.includes('~') || t.split('.').length !== 3) return false
  try {
    return JSON.parse(Buffer.from(t.split('.')[0] as string, 'base64url').toString()).typ === 'vc+jwt'
  } catch {
    return false
  }
}

export interface ElmVerifyOptions {
  /** Manifests in force, each checked against a pinned trust anchor: the only source of sealing keys. */
  manifests: readonly Manifest[]
  /** Unix ms. */
  now?: number
}

export interface ElmVerification {
  ok: boolean
  checks: Check[]
  credential?: ElmCredential
  issuer?: CredentialIssuer
}

export async function verifySealedElm (text: string, options: ElmVerifyOptions): Promise<ElmVerification> {
  const checks: Check[] = []
  const out: ElmVerification = { ok: false, checks }
  const done = (): ElmVerification => {
    out.ok = checks.length > 0 && checks.every((c) => c.ok)
    return out
  }
  let opened
  try {
    opened = await openElm(text.trim())
  } catch (err) {
    checks.push({ name: 'seal', ok: false, detail: isLifelongError(err) ? `${err.code}: ${err.message}` : String(err) })
    return done()
  }
  const c = opened.credential
  const issuer = c.issuer as Record<string, any>
  checks.push({ name: 'seal', ok: true, detail: `EdDSA seal by ${String(issuer.id)}` })

  // The sealing key is an institution's node key in a pinned federation, and the credential names
  // that institution (its organisation number) as issuer, sealed while it was a member.
  const named = String(issuer.registration?.notation ?? '')
  // Any key of the member's history (docs/LOG.md §Node key rotation), counted within its period.
  const same = (k: Uint8Array): boolean => Buffer.from(k).equals(Buffer.from(opened.issuerKey))
  const holders = options.manifests.flatMap((m) =>
    m.members.flatMap((member) => {
      const key = member.keys.find((k) => same(k.publicKey)) ?? (same(member.publicKey) ? member : undefined)
      return key === undefined ? [] : [{ federation: m.federation, member, key: { validFrom: key.validFrom, validTo: key.validTo } }]
    })
  )
  const holder = holders[0]
  const sealedAt = Date.parse(String(c.issued ?? c.validFrom))
  const problem = holder === undefined
    ? (options.manifests.length === 0
      ? 'no manifest of a pinned federation is at hand to name sealing keys (run `lifelong trust refresh`)'
      : 'sealed by a key that no pinned federation lists as a member\'s key')
    : !holder.member.roles.includes('institution')
    ? `the key is "${holder.member.name}"'s, which is not an institution`
    : holder.member.organisationNumber !== named
    ? `the credential names organisation ${named || '(none)'} as issuer, but the key is "${holder.member.name}"'s (organisation ${holder.member.organisationNumber})`
    : Number.isNaN(sealedAt) || sealedAt < holder.member.validFrom || sealedAt >= holder.member.validTo
    ? `sealed ${String(c.issued)}, outside "${holder.member.name}"'s membership`
    : sealedAt < holder.key.validFrom || sealedAt >= holder.key.validTo
    ? `sealed ${String(c.issued)} with a key of "${holder.member.name}" outside that key's period (${new Date(holder.key.validFrom).toISOString()} to ${new Date(holder.key.validTo).toISOString()})`
    : undefined
  checks.push({ name: 'issuer', ok: problem === undefined, detail: problem ?? `"${holder?.member.name ?? ''}" (organisation ${named}), an institution of federation ${holder?.federation ?? ''}` })
  if (problem !== undefined || holder === undefined) return done()
  out.issuer = { federation: holder.federation, member: holder.member }

  const problems = createElmSchemaValidator()(c)
  checks.push({ name: 'edc-schema', ok: problems.length === 0, detail: problems.length === 0 ? 'valid against the EDC JSON Schema 2.1.0 (ELM 3.2)' : problems.slice(0, 5).map((p) => `${p.path} ${p.message}`).join('; ') })
  const now = options.now ?? Date.now()
  const from = Date.parse(String(c.validFrom))
  const until = c.validUntil === undefined ? Infinity : Date.parse(String(c.validUntil))
  checks.push({ name: 'validity', ok: from <= now && now < until, detail: `valid from ${String(c.validFrom)}${c.validUntil === undefined ? '' : ` until ${String(c.validUntil)}`}` })
  out.credential = c
  return done()
}
