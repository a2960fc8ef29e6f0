/**
 * The whole check of a received ELMO document, as one pure function of plain data, so that it can
 * run on a worker thread (`check-worker.ts`, through the pool in `src/core/xml/pool.ts`) and
 * no document can hold the event loop: unpack the `elmo` field within its caps, parse it once with
 * the ELMO limits, verify its signature against the provider's registry certificates, read the
 * signed content, and hand back what the client stores. Nothing here touches storage.
 */
import { gzipSync } from 'node:zlib'
import { parseCertificate } from './certificate.ts'
import { readElmoElement, type ImportedElmo, type ImportLimits } from './import.ts'
import { unpackElmo, type UnpackLimits } from './packing.ts'
import { verifyElmoSignature } from './signature.ts'
import { parseElmoXml } from './xml.ts'

export interface ElmoCheckRequest {
  /** The `elmo` form field as the provider posted it (Base64 of gzip, or of plain XML). */
  readonly field: string
  /** PEM certificates of the provider from the registry. */
  readonly certificates: readonly string[]
  /** PEM certificates the provider retired after a rollover, each valid for documents generated before its time (Unix ms). */
  readonly retiredCertificates?: ReadonlyArray<{ readonly pem: string, readonly retiredAt: number }>
  /** Milliseconds since the epoch: when the certificates must be valid. */
  readonly now: number
  readonly unpack: UnpackLimits
  readonly limits: ImportLimits
}

export interface CheckedElmo {
  readonly elmo: ImportedElmo
  readonly signature: {
    readonly algorithm: string
    readonly digest: string
    /** SHA-256 fingerprint of the registry certificate that verified it. */
    readonly certificate: string
    readonly certificateSubject: string
  }
  /** Everything unusual that was accepted (SHA-1, encoding repairs, schema deviations). */
  readonly warnings: readonly string[]
  /** SHA-256 (hex) of the received XML. */
  readonly elmoSha256: string
  readonly elmoBytes: number
  /** The received document, gzip-compressed (the provider's own gzip member when it sent one). */
  readonly document: Uint8Array
}

/**
 * Checks a received `elmo` field. Throws the `ELMO_*` and `EMREX_PROVIDER_CERTIFICATE_EXPIRED`
 * codes of `unpackElmo`, `parseElmoXml`, `verifyElmoSignature` and `readElmoElement`.
 */
export function checkElmo (request: ElmoCheckRequest): CheckedElmo {
  const unpacked = unpackElmo(request.field, request.unpack)
  const doc = parseElmoXml(unpacked.xml, request.limits)
  const trusted = [...request.certificates.map((pem) => parseCertificate(pem)), ...(request.retiredCertificates ?? []).map((r) => ({ ...parseCertificate(r.pem), retiredAt: r.retiredAt }))]
  const check = verifyElmoSignature(doc, trusted, new Date(request.now))
  const elmo = readElmoElement(check.signed, request.limits)
  // A fresh buffer of its own, so that it can be moved to the calling thread without taking a pooled one along.
  const document = new Uint8Array(unpacked.gzip ?? gzipSync(Buffer.from(unpacked.xml, 'utf8'), { level: 1 }))
  return {
    elmo,
    signature: {
      algorithm: check.signatureAlgorithm,
      digest: check.digestAlgorithm,
      certificate: check.certificate.fingerprint256,
      certificateSubject: check.certificate.certificate.subject
    },
    warnings: [...check.warnings, ...unpacked.warnings, ...elmo.warnings],
    elmoSha256: unpacked.sha256,
    elmoBytes: unpacked.bytes,
    document
  }
}
