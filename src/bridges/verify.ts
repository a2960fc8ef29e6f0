/**
 * The credential formats `lifelong verify <file>` recognises, as verifiers it dispatches to:
 * each says whether a file is of its format and checks it, returning every check it made. Other
 * formats (the log's proof bundles) join this list.
 */
import { looksLikeSdJwt, verifySdJwtVc, type Check, type VerifyOptions } from './eudi/verify.ts'
import { looksLikeSealedElm, verifySealedElm } from './elm/verify.ts'

export type { Check, VerifyOptions }

export interface FormatVerifier {
  readonly format: string
  detect (text: string): boolean
  verify (text: string, options: VerifyOptions): Promise<Check[]>
}

export const CREDENTIAL_VERIFIERS: readonly FormatVerifier[] = [
  { format: 'sd-jwt-vc', detect: looksLikeSdJwt, verify: verifySdJwtVc },
  { format: 'elm-vc+jwt', detect: looksLikeSealedElm, verify: async (text, options) => await verifySealedElm(text, { now: options.now }) }
]

/** The verifier for a file's content, if any. */
export function verifierFor (text: string): FormatVerifier | undefined {
  return CREDENTIAL_VERIFIERS.find((v) => v.detect(text))
}
