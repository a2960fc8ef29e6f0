/**
 * The whole provider-side document pipeline in one call: bridge view → ELMO 1.7 → signed →
 * packed for the `elmo` field. Used by the EMREX provider, `lifelong emrex export` and the
 * benchmark, so all three produce the same bytes.
 */
import { createHash } from 'node:crypto'
import type { LearnerResults } from '../../../core/bridges/model.ts'
import type { SigningCredentials } from './certificate.ts'
import { buildElmo } from './export.ts'
import { packElmo } from './packing.ts'
import { signCanonicalElmo } from './signature.ts'

export interface SignedExportOptions {
  /** Who issues the PDF transcript (the portal's name); no PDF when undefined. */
  transcriptIssuer?: string
  includeNationalIdentifier?: boolean
}

export interface SignedElmo {
  /** The signed XML document. */
  xml: string
  /** SHA-256 (hex) of the signed XML's UTF-8 bytes: what the sent-record keeps as evidence. */
  sha256: string
}

/** Builds and signs the ELMO document for `view`. Throws `ELMO_NO_RESULTS` when nothing is exportable. */
export async function signedElmo (view: LearnerResults, credentials: SigningCredentials, options: SignedExportOptions = {}): Promise<SignedElmo> {
  const xml = signCanonicalElmo(
    buildElmo(view, {
      // pdf-lib loads with the first transcript, not when the node starts.
      ...(options.transcriptIssuer === undefined ? {} : { transcriptPdf: await (await import('./pdf.ts')).transcriptPdf(view, options.transcriptIssuer) }),
      ...(options.includeNationalIdentifier === undefined ? {} : { includeNationalIdentifier: options.includeNationalIdentifier })
    }),
    credentials
  )
  return { xml, sha256: createHash('sha256').update(xml, 'utf8').digest('hex') }
}

/** {@link signedElmo}, packed (gzip + Base64) for the `elmo` form field. */
export async function packedSignedElmo (view: LearnerResults, credentials: SigningCredentials, options: SignedExportOptions = {}): Promise<SignedElmo & { packed: string }> {
  const signed = await signedElmo(view, credentials, options)
  return { ...signed, packed: packElmo(signed.xml) }
}
