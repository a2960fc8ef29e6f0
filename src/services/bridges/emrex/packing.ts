/**
 * The `elmo` form field: the signed XML, gzip-compressed, then Base64 (EMREX implementation
 * guide §4.3: "the receiver must first decode it using Base64 and then uncompress using gzip").
 *
 * Unpacking is bounded at every step (encoded length, compressed size, decompressed size: a gzip
 * bomb stops at the cap, not after filling memory) and lenient where real providers deviate: line
 * breaks in the Base64, a `+` turned into a space by a sender that did not form-encode it, URL-safe
 * Base64, an uncompressed document, a byte-order mark, or an ISO-8859-1 declaration.
 */
import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { LifelongError } from '../../../core/errors.ts'

/** Packs signed XML for the `elmo` field. */
export function packElmo (xml: string): string {
  return gzipSync(Buffer.from(xml, 'utf8'), { level: 9 }).toString('base64')
}

export interface UnpackLimits {
  /** Largest Base64 field, in characters. */
  maxEncodedChars: number
  /** Largest XML after decompression, in bytes. */
  maxXmlBytes: number
}

export interface Unpacked {
  xml: string
  /** Size of the decompressed XML. */
  bytes: number
  /** SHA-256 (hex) of the decompressed XML, as received. */
  sha256: string
  /** The gzip member as received (absent when the field was plain XML): what is kept of the document. */
  gzip?: Uint8Array
  warnings: string[]
}

function tooLarge (what: string, cap: number): LifelongError {
  return new LifelongError('too-large', 'ELMO_TOO_LARGE', `the ELMO ${what} is over the limit of ${cap} bytes`)
}

/** Decodes and decompresses the `elmo` field. Throws `ELMO_TOO_LARGE` or `ELMO_ENCODING_INVALID`. */
export function unpackElmo (field: string, limits: UnpackLimits): Unpacked {
  const warnings: string[] = []
  if (field.length > limits.maxEncodedChars) throw tooLarge('field', limits.maxEncodedChars)
  // Each pass is a scan of megabytes: only when there is something to repair.
  let b64 = /[\r\n\t]/.test(field) ? field.replace(/[\r\n\t]/g, '') : field
  if (b64.includes(' ')) {
    // A '+' that was not percent-encoded arrives as a space after form decoding.
    b64 = b64.replace(/ /g, '+')
    warnings.push('the elmo field had spaces in its Base64 (an unencoded "+"); repaired')
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.length === 0) {
    throw new LifelongError('invalid', 'ELMO_ENCODING_INVALID', 'the elmo field is not Base64')
  }
  const bytes = Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  let raw: Buffer
  let gzip: Uint8Array | undefined
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    gzip = bytes
    try {
      raw = gunzipSync(bytes, { maxOutputLength: limits.maxXmlBytes })
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge('document after decompression', limits.maxXmlBytes)
      throw new LifelongError('invalid', 'ELMO_ENCODING_INVALID', 'the elmo field is not valid gzip', { cause: err })
    }
  } else if (looksLikeXml(bytes)) {
    if (bytes.length > limits.maxXmlBytes) throw tooLarge('document', limits.maxXmlBytes)
    raw = bytes
    warnings.push('the elmo field was not gzip-compressed; accepted as plain XML')
  } else {
    throw new LifelongError('invalid', 'ELMO_ENCODING_INVALID', 'the elmo field is neither gzip nor XML')
  }
  return { xml: decodeXmlText(raw, warnings), bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex'), ...(gzip === undefined ? {} : { gzip }), warnings }
}

function looksLikeXml (bytes: Buffer): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  return bytes[i] === 0x3c // '<'
}

/** UTF-8 unless the XML declaration names ISO-8859-1 / Latin-1 / windows-1252. */
function decodeXmlText (raw: Buffer, warnings: string[]): string {
  const head = raw.subarray(0, 200).toString('latin1')
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.replace(/^\uFEFF|^ï»¿/, ''))?.[1]?.toLowerCase()
  if (declared !== undefined && ['iso-8859-1', 'latin1', 'latin-1', 'windows-1252', 'cp1252'].includes(declared)) {
    warnings.push(`the document is encoded as ${declared}`)
    return new TextDecoder('windows-1252').decode(raw)
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(raw)
  } catch (err) {
    throw new LifelongError('invalid', 'ELMO_ENCODING_INVALID', 'the ELMO document is not valid UTF-8', { cause: err })
  }
}
