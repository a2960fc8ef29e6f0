/**
 * The texts the proof checker page gives its module as JSON (in the page's language; the page's
 * renderer fills them, src/edges/portal/verifier-page.ts). Placeholders in braces.
 */
export interface VerifierTexts {
  checking: string
  notProof: string
  noAnchor: string
  anchorInvalid: string
  anchorPortal: string
  anchorOwn: string
  federation: string
  fingerprint: string
  /** With `{n}`: how many results. */
  allOk: string
  rejected: string
  result: string
  resultOk: string
  resultFailed: string
  learner: string
  grade: string
  credits: string
  date: string
  issuer: string
  vouchedBy: string
  witnesses: string
  logPosition: string
  /** With `{index}` and `{size}`. */
  position: string
  checks: Record<string, string>
  gradeValues: Record<string, string>
  components: Record<string, string>
}
