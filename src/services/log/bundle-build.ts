/** Builds proof bundles from a log store (online, by the log module, or offline from a data directory). */
import { LifelongError } from '../../core/errors.ts'
import { decodeEnvelope } from '../../core/crypto/envelope.ts'
import { lifelong } from '../../core/gen/proto.js'
import { narrowManifest } from '../../core/federation/manifest.ts'
import { parseCheckpoint } from '../../core/log/checkpoint.ts'
import { cosignatureV1VerifierKey } from '../../core/log/cosignature.ts'
import { mlDsaCosignatureVerifierKey, mlDsaNoteVerifierKey } from '../../core/log/ml-dsa-note.ts'
import { decodeLeaf } from '../../core/log/leaf.ts'
import { formatVerifierKey, parseNote } from '../../core/log/note.ts'
import { PROOF_BUNDLE_FORMAT, type ProofBundle } from '../../core/log/bundle.ts'
import type { LogStore } from '../../store/log/store.ts'

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64')

export interface BundleSource {
  store: LogStore
  /** The signed checkpoint note to prove against (with its cosignatures). */
  note: string
  origin: string
  verifierKey: string
  /** The log's ML-DSA-65 verifier key, if it signs hybrid (a hint in the bundle). */
  mlDsaVerifierKey?: string
  /** The operator-signed manifest (SignedEnvelope bytes) in force. */
  manifest: Uint8Array
  now?: number
}

/** The federation ID of an origin `<federation>/log/<peer ID>`. */
export function federationOfOrigin (origin: string): string {
  const i = origin.lastIndexOf('/log/')
  return i < 0 ? '' : origin.slice(0, i)
}

export async function buildProofBundle (src: BundleSource, index: number): Promise<ProofBundle> {
  const cp = parseCheckpoint(parseNote(src.note).text)
  if (index >= cp.size) throw new LifelongError('not-found', 'LOG_ENTRY_NOT_SIGNED', `entry ${index} is not in the checkpoint of size ${cp.size}`)
  const entry = await src.store.entry(index)
  const record = await src.store.record(entry)
  if (record === undefined) throw new LifelongError('gone', 'LOG_RECORD_ERASED', `the record of entry ${index} is no longer stored`)
  const proof = await src.store.inclusionProof(index, cp.size)
  const { manifest } = narrowManifest(lifelong.federation.FederationManifest.decode(decodeEnvelope(src.manifest).payload))
  const members = manifest?.members ?? []
  const federation = federationOfOrigin(src.origin)
  const signatures = parseNote(src.note).signatures
  const witnesses: ProofBundle['witnesses'] = []
  for (const m of members) {
    const key = cosignatureV1VerifierKey(`${federation}/witness/${m.peerId}`, m.publicKey)
    if (signatures.some(s => s.name === key.name && s.keyId === key.keyId)) {
      const pq = m.mlDsaPublicKey === undefined ? undefined : mlDsaCosignatureVerifierKey(key.name, m.mlDsaPublicKey)
      const hybrid = pq !== undefined && signatures.some(s => s.name === pq.name && s.keyId === pq.keyId)
      witnesses.push({ verifierKey: formatVerifierKey(key), ...(hybrid ? { mlDsaVerifierKey: formatVerifierKey(pq) } : {}), peerId: m.peerId, organisationNumber: m.organisationNumber, name: m.name })
    }
  }
  const peerId = src.origin.slice(src.origin.lastIndexOf('/') + 1)
  const self = members.find(m => m.peerId === peerId)
  const logPq = src.mlDsaVerifierKey ?? (self?.mlDsaPublicKey === undefined ? undefined : formatVerifierKey(mlDsaNoteVerifierKey(src.origin, self.mlDsaPublicKey)))
  return {
    format: PROOF_BUNDLE_FORMAT,
    entry: { index, type: decodeLeaf(entry.leaf).type, key: entry.key, record: b64(record), salt: b64(entry.salt), leaf: b64(entry.leaf) },
    inclusion: { treeSize: cp.size, proof: proof.map(b64) },
    checkpoint: src.note,
    log: { origin: src.origin, verifierKey: src.verifierKey, ...(logPq === undefined ? {} : { mlDsaVerifierKey: logPq }), peerId, ...(self === undefined ? {} : { organisationNumber: self.organisationNumber, name: self.name }) },
    witnesses,
    manifest: b64(src.manifest),
    createdAt: new Date(src.now ?? Date.now()).toISOString()
  }
}

/** A bundle from the store of a stopped node's data directory (no network). */
export async function proveFromDataDir (dataDir: string, index: number): Promise<ProofBundle> {
  const { openStorage } = await import('../../store/leveldb/storage.ts')
  const { LogStore } = await import('../../store/log/store.ts')
  const { currentManifestKey } = await import('../../net/federation/keys.ts')
  const keys = await import('../../store/log/keys.ts')
  const storage = await openStorage(dataDir)
  try {
    const store = await LogStore.open({ storage })
    const [origin, vkey, note] = await store.sublevel.getMany([keys.originKey(), keys.verifierKeyKey(), keys.latestCheckpointKey()])
    const manifest = await storage.sublevel('federation').get(currentManifestKey())
    if (origin === undefined || vkey === undefined || note === undefined || manifest === undefined) {
      throw new LifelongError('not-found', 'LOG_NO_CHECKPOINT', `no signed checkpoint and manifest in ${dataDir}`)
    }
    const dec = new TextDecoder()
    return await buildProofBundle({ store, note: dec.decode(note), origin: dec.decode(origin), verifierKey: dec.decode(vkey), manifest }, index)
  } finally {
    await storage.close()
  }
}
