/**
 * Sealing encoded result records (pure, no generated protobuf module, so that worker threads
 * load only this and `node:crypto`): the content hash of a record's facts and the signed
 * envelope of its exact bytes.
 *
 * The content hash tells an identical re-ingest from a change. It is HMAC-SHA-256 under the
 * label key `lifelong/results/content` of the record's facts: every field but the version's
 * own (result ID, version, status, issued-on day, reason, previous, recorded by and at). The
 * facts' bytes are taken from the encoded record itself — its top-level fields in order, minus
 * those — which are exactly the bytes encoding the facts alone gives, because a protobuf
 * encoder writes each field on its own, in field-number order (proto/results.proto).
 */
import { createHmac, createSecretKey, sign, type KeyObject } from 'node:crypto'
import { encodeSignedEnvelope, signedData } from '../../../core/crypto/signed-data.ts'
import { pqSignBytes } from '../../../core/crypto/ml-dsa.ts'
import { LifelongError } from '../../../core/errors.ts'

export const RESULT_DOMAIN = 'lifelong/result/v1'
export const RESULT_PAYLOAD_TYPE = 'lifelong.results.ResultRecord'
const PAYLOAD_TYPE_BYTES = new TextEncoder().encode(RESULT_PAYLOAD_TYPE)

/** Field numbers of a `ResultRecord` that belong to the version, not to the facts. */
const VERSION_FIELDS = new Set([1, 2, 3, 11, 23, 24, 25, 26])

/** The key of the content hash (a fixed label: the hash is not secret, only domain-separated). */
export const CONTENT_KEY: KeyObject = createSecretKey(Buffer.from('lifelong/results/content'))

const malformed = (why: string): LifelongError => new LifelongError('invalid', 'RESULTS_MALFORMED', `not a result record: ${why}`)

function readVarint (b: Uint8Array, at: number): [number, number] {
  let value = 0
  let shift = 1
  for (;;) {
    if (at >= b.length) throw malformed('truncated varint')
    const byte = b[at++] as number
    value += (byte & 0x7f) * shift
    if (byte < 0x80) return [value, at]
    shift *= 128
    if (shift > 2 ** 63) throw malformed('varint too long')
  }
}

/**
 * The content hash (hex) of an encoded `ResultRecord`: HMAC over its facts' fields.
 * @throws LifelongError `RESULTS_MALFORMED` if the bytes are not a well-formed protobuf message
 */
export function contentHashOfPayload (payload: Uint8Array): string {
  const mac = createHmac('sha256', CONTENT_KEY)
  let at = 0
  let run = 0
  let inRun = false
  while (at < payload.length) {
    const start = at
    const [tag, afterTag] = readVarint(payload, at)
    const wire = tag & 7
    let end: number
    if (wire === 0) end = readVarint(payload, afterTag)[1]
    else if (wire === 2) {
      const [len, afterLen] = readVarint(payload, afterTag)
      end = afterLen + len
    } else if (wire === 1) end = afterTag + 8
    else if (wire === 5) end = afterTag + 4
    else throw malformed(`unsupported wire type ${wire}`)
    if (end > payload.length) throw malformed('truncated field')
    const facts = !VERSION_FIELDS.has(Math.floor(tag / 8))
    if (facts && !inRun) {
      run = start
      inRun = true
    } else if (!facts && inRun) {
      mac.update(payload.subarray(run, start))
      inRun = false
    }
    at = end
  }
  if (inRun) mac.update(payload.subarray(run, at))
  return mac.digest('hex')
}

/** What sealing one encoded record gives. */
export interface SealedRecord {
  /** The SignedEnvelope bytes to store, log and serve. */
  envelope: Uint8Array
  /** The content hash of its facts (hex). */
  contentHash: string
}

/** The node's ML-DSA-65 key, for hybrid seals (a KeyObject travels to worker threads as is). */
export interface MlDsaSealKey {
  privateKey: KeyObject
  publicKeyRaw: Uint8Array
}

/**
 * Signs one encoded `ResultRecord` for the result domain with the node key; with `mlDsa`, the
 * seal is hybrid: an ML-DSA-65 signature over the same bytes (context: the domain) beside the
 * Ed25519 one (docs/SECURITY.md §Post-quantum hybrid signatures).
 */
export function sealPayload (privateKey: KeyObject, publicKeyRaw: Uint8Array, payload: Uint8Array, mlDsa?: MlDsaSealKey): SealedRecord {
  const data = signedData(RESULT_DOMAIN, RESULT_PAYLOAD_TYPE, payload)
  const signature = sign(null, data, privateKey)
  const hybrid = mlDsa === undefined ? undefined : { publicKey: mlDsa.publicKeyRaw, signature: pqSignBytes(mlDsa.privateKey, RESULT_DOMAIN, data) }
  return { envelope: encodeSignedEnvelope(publicKeyRaw, PAYLOAD_TYPE_BYTES, payload, signature, hybrid), contentHash: contentHashOfPayload(payload) }
}
