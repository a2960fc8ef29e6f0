/**
 * `lifelong verify <file>`: verification of signed documents, one verifier per format, failing
 * closed. A document names its format (`format` field of a JSON document); each verifier
 * returns its checks in order (the first failing one is what is wrong) and, when every check
 * passed, what it verified: the learner, titles, grades, credits, dates, the issuer as it was
 * named then and the log position, for an employer to compare with the PDF.
 *
 * Proof bundles and credentials verify only under a pinned trust anchor ({@link VerifyOptions.trust},
 * src/services/verify/trust.ts); without one they are refused (`VERIFY_NO_TRUST_ANCHOR`). Equivocation
 * evidence needs none: it proves by itself that one key signed two irreconcilable checkpoints.
 * Other formats plug in with {@link registerVerifier}; the credentials of the cross-border
 * bridges are loaded only when a file is of their format.
 */
import { LifelongError } from '../../core/errors.ts'
import type { Member } from '../../core/federation/manifest.ts'
import { PROOF_BUNDLE_FORMAT, verifyProofBundle, type BundleVerification, type LogPosition, type ProofBundle, type RecordCheck } from '../../core/log/bundle.ts'
import { EQUIVOCATION_FORMAT, checkEquivocation, type Check, type EquivocationEvidence } from '../../core/log/evidence.ts'
import { BUNDLE_SET_FORMAT, resultRecordCheck, verifyResultProofs, type BundleSet } from '../registry/results/bundle.ts'
import type { ResultView } from '../registry/results/record.ts'
import { NO_ANCHOR_MESSAGE, type VerifierTrust } from './trust.ts'
import type { SafeFetch } from './fetch.ts'
import type { SignaturePolicy } from '../../core/crypto/policy.ts'

export type { Check }

export interface VerifyOptions {
  /**
   * The pinned trust (anchors; manifests in force when `manifests` is asked for). Unset, or
   * throwing `VERIFY_NO_TRUST_ANCHOR`: every format that needs trust is refused.
   */
  trust?: (need: { manifests: boolean }) => Promise<VerifierTrust>
  minCosignatures?: number
  /** What is required of signatures (proof bundles, result seals); default `ed25519-only`. */
  policy?: SignaturePolicy
  /** For credentials: skip the checks that need the network (status list, type metadata). */
  offline?: boolean
  /** The fetch for status lists and type metadata (src/services/verify/fetch.ts). */
  fetch?: SafeFetch
  /** Unix ms. */
  now?: number
}

/** One thing verified, as it is to be compared with the PDF. */
export interface VerifiedItem {
  kind: 'result' | 'log-entry' | 'sd-jwt-vc' | 'elm-credential'
  learner?: string
  birthDate?: string
  title?: string
  grades?: string[]
  credits?: string
  achievedOn?: string
  issuedOn?: string
  validFrom?: string
  validUntil?: string
  status?: string
  /** The issuer as the record or credential names it (as it was then). */
  issuer?: string
  /** The federation member that vouches for it, as the pinned federation's manifest names it. */
  vouchedBy?: string
  /** Where the entry is in its log. */
  log?: LogPosition
  /** For any other log entry: its type and key. */
  entry?: { type: string, key: string }
  /** For credentials: what the holder chose not to disclose. */
  notDisclosed?: string[]
}

export interface DocumentVerification {
  format: string
  ok: boolean
  checks: Check[]
  /** What was verified (only when every check passed). */
  verified: VerifiedItem[]
  /** The anchors the verification ran under, and notes about manifests not in force. */
  trust?: { sources: VerifierTrust['sources'], notes: string[] }
}

interface VerifierOutput {
  checks: Check[]
  verified?: VerifiedItem[]
}

export interface FormatVerifier {
  /** What the document declares, e.g. `lifelong-proof-bundle/v1`. */
  readonly format: string
  readonly description: string
  /** Whether this verifier takes the raw file (for non-JSON formats); by default `format` in JSON is matched. */
  matches?: (text: string) => boolean
  /** What the verifier needs pinned: nothing, the anchors, or also the manifests in force. */
  readonly needs: 'nothing' | 'anchors' | 'manifests'
  verify: (text: string, options: VerifyOptions, trust: VerifierTrust | undefined) => VerifierOutput | Promise<VerifierOutput>
}

const verifiers: FormatVerifier[] = []

export function registerVerifier (v: FormatVerifier): void {
  if (verifiers.some(x => x.format === v.format)) throw new LifelongError('internal', 'VERIFY_VERIFIER_DUPLICATE', `a verifier for ${v.format} exists`)
  verifiers.push(v)
}

export function knownFormats (): string[] {
  return verifiers.map(v => v.format)
}

function jsonFormat (text: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(text)
    return typeof doc === 'object' && doc !== null && typeof (doc as { format?: unknown }).format === 'string' ? (doc as { format: string }).format : undefined
  } catch {
    return undefined
  }
}

/** Verifies a document with the verifier of its format. Throws `VERIFY_NO_TRUST_ANCHOR` when its format needs trust and none is pinned. */
export async function verifyDocument (text: string, options: VerifyOptions = {}): Promise<DocumentVerification> {
  const format = jsonFormat(text)
  const v = verifiers.find(x => x.matches?.(text) ?? x.format === format)
  if (v === undefined) {
    throw new LifelongError('unsupported', 'VERIFY_FORMAT_UNKNOWN', `not a document this command knows (format ${format ?? 'none'}; known: ${knownFormats().join(', ')})`)
  }
  let trust: VerifierTrust | undefined
  if (v.needs !== 'nothing') {
    if (options.trust === undefined) throw new LifelongError('forbidden', 'VERIFY_NO_TRUST_ANCHOR', NO_ANCHOR_MESSAGE)
    trust = await options.trust({ manifests: v.needs === 'manifests' })
  }
  const out = await v.verify(text, options, trust)
  const ok = out.checks.length > 0 && out.checks.every((c) => c.ok)
  return {
    format: v.format,
    ok,
    checks: out.checks,
    verified: ok ? out.verified ?? [] : [],
    ...(trust === undefined ? {} : { trust: { sources: trust.sources, notes: trust.notes } })
  }
}

// ------------------------------------------------------------------ what was verified

type Localised = Partial<Record<string, string>>
const text = (l: unknown): string | undefined => {
  if (typeof l === 'string') return l
  if (l === null || typeof l !== 'object') return undefined
  const m = l as Localised
  return m.nb ?? m.en ?? m.nn ?? Object.values(m).find((x) => typeof x === 'string')
}
const memberName = (m: Member, manifest?: { federation: string, serial: number }): string =>
  `${m.name} (organisation ${m.organisationNumber})${manifest === undefined ? '' : `, member of ${manifest.federation} in manifest serial ${manifest.serial}`}`
const grade = (g: { value: string, scale?: string, component?: string }): string => `${g.value}${g.scale === undefined ? '' : ` (${g.scale}${g.component === undefined || g.component === 'final' ? '' : `, ${g.component}`})`}`

function resultItem (v: BundleVerification<ResultView>): VerifiedItem {
  const r = v.facts as ResultView
  const issuer = `${text(r.issuer.name) ?? ''} (organisation ${r.issuer.organisationNumber})`
  return {
    kind: 'result',
    learner: `${r.subject.givenNames} ${r.subject.familyName}`,
    ...(r.subject.birthDate === undefined ? {} : { birthDate: r.subject.birthDate }),
    title: `${text(r.title) ?? ''}${r.localCode === undefined ? '' : ` (${r.localCode})`}`,
    grades: r.grades.map(grade),
    ...(r.credits === undefined ? {} : { credits: `${r.credits} ECTS` }),
    achievedOn: r.achievedOn,
    issuedOn: r.issuedOn,
    status: `${r.status}, version ${r.version}`,
    issuer,
    ...(v.member === undefined ? {} : { vouchedBy: memberName(v.member, v.manifest) }),
    ...(v.position === undefined ? {} : { log: v.position })
  }
}

function bundleItem (v: BundleVerification<unknown>, bundle: ProofBundle): VerifiedItem {
  return {
    kind: 'log-entry',
    entry: { type: bundle.entry.type, key: bundle.entry.key },
    ...(v.member === undefined ? {} : { vouchedBy: memberName(v.member, v.manifest) }),
    ...(v.position === undefined ? {} : { log: v.position })
  }
}

const SD_JWT_SHOWN = ['given_name', 'family_name', 'birthdate', 'title', 'grades', 'credits', 'awarding_date', 'issuing_date', 'awarding_body']

function sdJwtItem (claims: Record<string, any>, issuer: Member | undefined): VerifiedItem {
  const body = claims.awarding_body as { name?: unknown, organisation_number?: string } | undefined
  const name = [claims.given_name, claims.family_name].filter((x) => typeof x === 'string').join(' ')
  return {
    kind: 'sd-jwt-vc',
    ...(name === '' ? {} : { learner: name }),
    ...(typeof claims.birthdate === 'string' ? { birthDate: claims.birthdate } : {}),
    ...(claims.title === undefined ? {} : { title: text(claims.title) }),
    ...(Array.isArray(claims.grades) ? { grades: claims.grades.map(grade) } : {}),
    ...(claims.credits === undefined ? {} : { credits: `${String(claims.credits.value)} ${String(claims.credits.system ?? '')}`.trim() }),
    ...(typeof claims.awarding_date === 'string' ? { achievedOn: claims.awarding_date } : {}),
    ...(typeof claims.issuing_date === 'string' ? { issuedOn: claims.issuing_date } : {}),
    ...(body === undefined ? {} : { issuer: `${text(body.name) ?? ''} (organisation ${String(body.organisation_number)})` }),
    ...(issuer === undefined ? {} : { vouchedBy: `${memberName(issuer)}, credential issuer` }),
    notDisclosed: SD_JWT_SHOWN.filter((k) => claims[k] === undefined)
  }
}

function elmItem (c: Record<string, any>, issuer: Member | undefined): VerifiedItem {
  const subject = c.credentialSubject ?? {}
  const achievement = Array.isArray(subject.hasClaim) ? subject.hasClaim[0] ?? {} : {}
  const body = achievement.awardedBy?.awardingBody?.[0]
  const credits = achievement.creditReceived?.[0]?.point
  return {
    kind: 'elm-credential',
    learner: text(subject.fullName) ?? `${text(subject.givenName) ?? ''} ${text(subject.familyName) ?? ''}`.trim(),
    ...(typeof subject.dateOfBirth === 'string' ? { birthDate: subject.dateOfBirth.slice(0, 10) } : {}),
    title: text(achievement.title),
    grades: Array.isArray(achievement.provenBy) ? achievement.provenBy.map((p: any) => `${text(p.grade?.noteLiteral) ?? ''}${text(p.title) === undefined ? '' : ` (${text(p.title) as string})`}`) : [],
    ...(credits === undefined ? {} : { credits: `${String(credits)} ECTS` }),
    ...(typeof achievement.awardedBy?.awardingDate === 'string' ? { achievedOn: achievement.awardedBy.awardingDate.slice(0, 10) } : {}),
    ...(typeof c.issued === 'string' ? { issuedOn: c.issued } : {}),
    ...(typeof c.validFrom === 'string' ? { validFrom: c.validFrom } : {}),
    ...(typeof c.validUntil === 'string' ? { validUntil: c.validUntil } : {}),
    ...(body === undefined ? {} : { issuer: `${text(body.legalName) ?? ''} (organisation ${String(body.registration?.notation ?? '?')})` }),
    ...(issuer === undefined ? {} : { vouchedBy: `${memberName(issuer)}, sealed with its key` })
  }
}

// ------------------------------------------------------------------ the formats

/** What a record of each entry type means; other entries are checked as log entries only. */
const recordChecks: ReadonlyMap<string, RecordCheck<ResultView>> = new Map([[resultRecordCheck.type, resultRecordCheck]])

registerVerifier({
  format: PROOF_BUNDLE_FORMAT,
  description: 'a record, its leaf and inclusion proof, and a cosigned checkpoint of a lifelong log',
  needs: 'anchors',
  verify: (text, options, trust) => {
    const bundle = JSON.parse(text) as ProofBundle
    const record = recordChecks.get(String(bundle?.entry?.type))
    const v = verifyProofBundle<ResultView>(bundle, {
      anchors: trust?.anchors ?? [],
      ...(options.minCosignatures === undefined ? {} : { minCosignatures: options.minCosignatures }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(record === undefined ? {} : { record })
    })
    return { checks: v.checks, verified: [v.facts === undefined ? bundleItem(v, bundle) : resultItem(v)] }
  }
})

registerVerifier({
  format: EQUIVOCATION_FORMAT,
  description: 'evidence that a lifelong log signed two checkpoints that cannot both be true',
  needs: 'nothing',
  verify: (text) => ({ checks: checkEquivocation(JSON.parse(text) as EquivocationEvidence) })
})

registerVerifier({
  format: BUNDLE_SET_FORMAT,
  description: 'signed results with their proof bundles (what the Diploma portal hands the recipient of a share)',
  needs: 'anchors',
  verify: (text, options, trust) => {
    const v = verifyResultProofs(JSON.parse(text) as BundleSet, {
      anchors: trust?.anchors ?? [],
      ...(options.minCosignatures === undefined ? {} : { minCosignatures: options.minCosignatures }),
      ...(options.policy === undefined ? {} : { policy: options.policy })
    })
    return { checks: v.checks, verified: v.bundles.filter((b) => b.facts !== undefined).map(resultItem) }
  }
})

/** The JOSE header of a compact JWS, if the text starts with one (no library: detection must be cheap). */
function joseHeader (text: string): Record<string, unknown> | undefined {
  try {
    const h: unknown = JSON.parse(Buffer.from(text.trim().split('.')[0] ?? '', 'base64url').toString('utf8'))
    return typeof h === 'object' && h !== null ? h as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

registerVerifier({
  format: 'sd-jwt-vc',
  description: 'an SD-JWT VC (dc+sd-jwt), issued or presented with key binding (docs/CROSS-BORDER.md)',
  matches: (text) => text.includes('~') && joseHeader(text)?.typ === 'dc+sd-jwt',
  needs: 'manifests',
  verify: async (text, options, trust) => {
    const { verifySdJwtVc } = await import('../bridges/eudi/verify.ts')
    const v = await verifySdJwtVc(text, {
      manifests: trust?.manifests ?? [],
      ...(options.offline === undefined ? {} : { offline: options.offline }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.now === undefined ? {} : { now: options.now })
    })
    return { checks: v.checks, verified: v.claims === undefined ? [] : [sdJwtItem(v.claims, v.issuer?.member)] }
  }
})

registerVerifier({
  format: 'elm-vc+jwt',
  description: 'a European Learning Model 3 credential sealed by its institution (VC-JOSE, vc+jwt)',
  matches: (text) => !text.includes('~') && text.trim().split('.').length === 3 && joseHeader(text)?.typ === 'vc+jwt',
  needs: 'manifests',
  verify: async (text, options, trust) => {
    const { verifySealedElm } = await import('../bridges/elm/verify.ts')
    const v = await verifySealedElm(text, { manifests: trust?.manifests ?? [], ...(options.now === undefined ? {} : { now: options.now }) })
    return { checks: v.checks, verified: v.credential === undefined ? [] : [elmItem(v.credential, v.issuer?.member)] }
  }
})
