/**
 * Worker thread of the results sealer (sealer.ts): signs chunks of encoded result records
 * with the node key it was started with (and its ML-DSA-65 key, for hybrid seals) and returns their envelopes and content hashes.
 * Loads only `node:crypto` and the pure sealing code.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { KeyObject } from 'node:crypto'
import { sealPayload, type MlDsaSealKey } from './seal.ts'

/** A chunk to seal: the encoded records back to back, and where each ends. */
export interface SealRequest {
  id: number
  bytes: Uint8Array
  ends: Uint32Array
}

/** The sealed chunk: the envelopes back to back, where each ends, and the content hashes. */
export interface SealReply {
  id: number
  bytes?: Uint8Array
  ends?: Uint32Array
  hashes?: string[]
  error?: string
}

const { privateKey, publicKeyRaw, mlDsa } = workerData as { privateKey: KeyObject, publicKeyRaw: Uint8Array, mlDsa?: MlDsaSealKey }

parentPort?.on('message', (req: SealRequest) => {
  try {
    const envelopes: Uint8Array[] = []
    const hashes: string[] = []
    let start = 0
    let total = 0
    for (const end of req.ends) {
      const sealed = sealPayload(privateKey, publicKeyRaw, req.bytes.subarray(start, end), mlDsa)
      envelopes.push(sealed.envelope)
      hashes.push(sealed.contentHash)
      total += sealed.envelope.length
      start = end
    }
    const bytes = new Uint8Array(total)
    const ends = new Uint32Array(envelopes.length)
    let at = 0
    envelopes.forEach((e, i) => {
      bytes.set(e, at)
      at += e.length
      ends[i] = at
    })
    const reply: SealReply = { id: req.id, bytes, ends, hashes }
    parentPort?.postMessage(reply, [bytes.buffer, ends.buffer])
  } catch (err) {
    const reply: SealReply = { id: req.id, error: err instanceof Error ? err.message : String(err) }
    parentPort?.postMessage(reply)
  }
})
