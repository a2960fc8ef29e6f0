/**
 * `lifelong verify <file>`: offline verification of signed documents, one verifier per format.
 * A document names its format (`format` field of a JSON document); each verifier returns its
 * checks in order, and the first failing one is what is wrong. Other formats plug in with
 * {@link registerVerifier}; the credentials of the cross-border bridges (SD-JWT VCs, sealed ELM
 * credentials) are registered below, loaded only when a file is of their format.
 */
import { LifelongError } from '../errors.ts'
import { PROOF_BUNDLE_FORMAT, verifyProofBundle, type ProofBundle } from '../log/bundle.ts'
import { EQUIVOCATION_FORMAT, checkEquivocation, type Check, type EquivocationEvidence } from '../log/evidence.ts'
import { BUNDLE_SET_FORMAT, verifyResultProofs, type BundleSet } from '../registry/results/bundle.ts'

export type { Check }

export interface VerifyOptions {
  trustedOperatorKeys?: readonly Uint8Array[]
  minCosignatures?: number
  /** For credentials: skip the checks that need the network (issuer keys, status list, type metadata). */
  offline?: boolean
}

export interface FormatVerifier {
  /** What the document declares, e.g. `lifelong-proof-bundle/v1`. */
  readonly format: string
  readonly description: string
  /** Whether this verifier takes the raw file (for non-JSON formats); by default `format` in JSON is matched. */
  matches?: (text: string) => boolean
  verify: (text: string, options: VerifyOptions) => Check[] | Promise<Check[]>
}

const verifiers: FormatVerifier[] = []

export function registerVerifier (v: FormatVerifier): void {
  if (verifiers.some(x => x.format === v.format)) throw new LifelongError('internal', 'VERIFIER_DUPLICATE', `a verifier for ${v.format} exists`)
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

/** Verifies a document with the verifier of its format. */
export async function verifyDocument (text: string, options: VerifyOptions = {}): Promise<{ format: string, checks: Check[] }> {
  const format = jsonFormat(text)
  const v = verifiers.find(x => x.matches?.(text) ?? x.format === format)
  if (v === undefined) {
    throw new LifelongError('unsupported', 'VERIFY_FORMAT_UNKNOWN', `not a document this command knows (format ${format ?? 'none'}; known: ${knownFormats().join(', ')})`)
  }
  return { format: v.format, checks: await v.verify(text, options) }
}

registerVerifier({
  format: PROOF_BUNDLE_FORMAT,
  description: 'a record, its leaf and inclusion proof, and a cosigned checkpoint of a lifelong log',
  verify: (text, options) => verifyProofBundle(JSON.parse(text) as ProofBundle, options)
})

registerVerifier({
  format: EQUIVOCATION_FORMAT,
  description: 'evidence that a lifelong log signed two checkpoints that cannot both be true',
  verify: (text) => checkEquivocation(JSON.parse(text) as EquivocationEvidence)
})

registerVerifier({
  format: BUNDLE_SET_FORMAT,
  description: 'signed results with their proof bundles (what the Diploma portal hands the recipient of a share)',
  verify: (text, options) => verifyResultProofs(JSON.parse(text) as BundleSet, options)
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
  verify: async (text, options) => (await import('../bridges/eudi/verify.ts')).verifySdJwtVc(text, { offline: options.offline })
})

registerVerifier({
  format: 'elm-vc+jwt',
  description: 'a European Learning Model 3 credential sealed by its institution (VC-JOSE, vc+jwt)',
  matches: (text) => !text.includes('~') && text.trim().split('.').length === 3 && joseHeader(text)?.typ === 'vc+jwt',
  verify: async (text) => await (await import('../bridges/elm/verify.ts')).verifySealedElm(text)
})
