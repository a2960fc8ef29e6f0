/**
 * Verifying a sealed ELM credential (`lifelong verify credential.jwt`): the VC-JOSE seal under
 * the key its `kid` names and that the issuer is that key (seal.ts), the EDC JSON Schema 2.1.0,
 * its validity period, and who the key belongs to as far as the credential says (organisation
 * number); whether that organisation really holds that key is checked against the federation
 * manifest (docs/CROSS-BORDER.md §What a relying party checks).
 */
import { isLifelongError } from '../../errors.ts'
import type { Check } from '../eudi/verify.ts'
import { createElmSchemaValidator } from './schema.ts'
import { openElm } from './seal.ts'

export function looksLikeSealedElm (text: string): boolean {
  const t = text.trim()
  if (t.includes('~') || t.split('.').length !== 3) return false
  try {
    return JSON.parse(Buffer.from(t.split('.')[0] as string, 'base64url').toString()).typ === 'vc+jwt'
  } catch { return false }
}

export async function verifySealedElm (text: string, options: { now?: number } = {}): Promise<Check[]> {
  const checks: Check[] = []
  let opened
  try {
    opened = await openElm(text.trim())
  } catch (err) {
    checks.push({ name: 'seal', ok: false, detail: isLifelongError(err) ? `${err.code}: ${err.message}` : String(err) })
    return checks
  }
  const c = opened.credential
  const issuer = c.issuer as Record<string, any>
  checks.push({ name: 'seal', ok: true, detail: `EdDSA seal by ${issuer.id}` })
  const problems = createElmSchemaValidator()(c)
  checks.push({ name: 'edc-schema', ok: problems.length === 0, detail: problems.length === 0 ? 'valid against the EDC JSON Schema 2.1.0 (ELM 3.2)' : problems.slice(0, 5).map((p) => `${p.path} ${p.message}`).join('; ') })
  const now = options.now ?? Date.now()
  const from = Date.parse(String(c.validFrom))
  const until = c.validUntil === undefined ? Infinity : Date.parse(String(c.validUntil))
  checks.push({ name: 'validity', ok: from <= now && now < until, detail: `valid from ${String(c.validFrom)}${c.validUntil === undefined ? '' : ` until ${String(c.validUntil)}`}` })
  checks.push({ name: 'issuer', ok: true, detail: `${Object.values(issuer.legalName ?? {})[0] as string ?? '?'}, organisation number ${issuer.registration?.notation ?? '?'}: check this key against the federation manifest` })
  return checks
}
