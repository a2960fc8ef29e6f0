/**
 * Proof bundles under members' key histories (docs/LOG.md §Node key rotation), hybrid: a log
 * and a witness that each rotated their keys, a one-entry tree, and the bundle verifier under
 * the `both-required` policy. A checkpoint or cosignature counts under the key whose period
 * holds what it shows of its time; a key signing outside its period does not.
 */
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { generateSigningKey, peerIdFromRawPublicKey, type SigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { generatePqSigningKey, formatPqPublicKey, type PqSigningKey } from '../../../../src/core/crypto/ml-dsa.ts'
import { manifestFromJson, signManifest } from '../../../../src/core/federation/manifest.ts'
import { operatorKeyAnchor } from '../../../../src/core/federation/anchor.ts'
import { verifyProofBundle, PROOF_BUNDLE_FORMAT, type ProofBundle } from '../../../../src/core/log/bundle.ts'
import { leafFor } from '../../../../src/core/log/leaf.ts'
import { formatCheckpoint } from '../../../../src/core/log/checkpoint.ts'
import { ed25519NoteSigner, ed25519VerifierKey, formatVerifierKey, signNote } from '../../../../src/core/log/note.ts'
import { mlDsaCosigner, mlDsaNoteSigner } from '../../../../src/core/log/ml-dsa-note.ts'
import { ed25519Cosigner, witnessName } from '../../../../src/core/log/cosignature.ts'

const DAY = 86_400_000
const FED = 'no.lifelong.test'
const T0 = Date.parse('2026-06-01T00:00:00Z')
const iso = (ms: number): string => new Date(ms).toISOString()
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

interface Key {
  ed: SigningKey
  pq: PqSigningKey
  peerId: string
}
const key = (): Key => {
  const ed = generateSigningKey()
  return { ed, pq: generatePqSigningKey(), peerId: peerIdFromRawPublicKey(ed.publicKeyRaw).toString() }
}

const operator = { ed: generateSigningKey(), pq: generatePqSigningKey() }
// The log rotated from logOld to logNew at T0, logOld retired at T0 + 1 day; the witness likewise.
const logOld = key()
const logNew = key()
const witOld = key()
const witNew = key()
const history = (old: Key, next: Key): unknown[] => [
  { peerId: old.peerId, mlDsaPublicKey: formatPqPublicKey(old.pq.publicKeyRaw), validFrom: iso(T0 - 100 * DAY), validTo: iso(T0 + DAY) },
  { peerId: next.peerId, mlDsaPublicKey: formatPqPublicKey(next.pq.publicKeyRaw), validFrom: iso(T0) }
]
const member = (org: string, name: string, old: Key, next: Key): Record<string, unknown> => ({
  peerId: next.peerId,
  organisationNumber: org,
  name,
  roles: ['institution'],
  httpBaseUrl: `https://${name}.example.no`,
  validFrom: iso(T0 - 100 * DAY),
  validTo: iso(T0 + 3650 * DAY),
  mlDsaPublicKey: formatPqPublicKey(next.pq.publicKeyRaw),
  keyHistory: history(old, next)
})
const manifest = signManifest(
  operator.ed,
  manifestFromJson({ federation: FED, serial: 2, issuedAt: iso(T0 + 2 * DAY), expiresAt: iso(T0 + 30 * DAY), members: [member('971035854', 'uio', logOld, logNew), member('974767880', 'ntnu', witOld, witNew)] } as never),
  operator.pq
)
const anchors = [operatorKeyAnchor([operator.ed.publicKeyRaw], [operator.pq.publicKeyRaw])]
const origin = `${FED}/log/${logOld.peerId}`
const wname = witnessName(FED, witOld.peerId)

/** A one-entry bundle logged at `loggedAt`, its checkpoint signed by `log` and cosigned by `witness` at `cosignedAt`. */
function bundle (loggedAt: number, log: Key, witness: Key, cosignedAt: number): ProofBundle {
  const record = randomBytes(40)
  const salt = randomBytes(32)
  const { leaf, leafHash } = leafFor('test.record', 'R-1', record, salt, loggedAt)
  const text = formatCheckpoint({ origin, size: 1, root: leafHash, extensions: [] })
  const now = (): number => Math.floor(cosignedAt / 1000)
  const note = signNote(text, [
    ed25519NoteSigner(origin, log.ed.privateKey),
    mlDsaNoteSigner(origin, log.pq),
    ed25519Cosigner(wname, witness.ed.privateKey, { now }),
    mlDsaCosigner(wname, witness.pq, { now })
  ])
  return {
    format: PROOF_BUNDLE_FORMAT,
    entry: { index: 0, type: 'test.record', key: 'R-1', record: b64(record), salt: b64(salt), leaf: b64(leaf) },
    inclusion: { treeSize: 1, proof: [] },
    checkpoint: note,
    log: { origin, verifierKey: formatVerifierKey(ed25519VerifierKey(origin, log.ed.publicKeyRaw)), peerId: log.peerId },
    witnesses: [],
    manifest: b64(manifest),
    createdAt: iso(T0 + 2 * DAY)
  }
}

const verify = (b: ProofBundle): { ok: boolean, failed?: string, cosigned?: string } => {
  const v = verifyProofBundle(b, { anchors, policy: 'both-required', minCosignatures: 1 })
  const failed = v.checks.find((c) => !c.ok)
  return { ok: v.ok, ...(failed === undefined ? {} : { failed: failed.name }) }
}

describe('proof bundles under key histories (hybrid, both required)', () => {
  it('a checkpoint signed and cosigned by the old keys before the rotation verifies under the later manifest', () => {
    expect(verify(bundle(T0 - DAY, logOld, witOld, T0 - DAY + 60_000))).toEqual({ ok: true })
  })

  it('a checkpoint signed and cosigned by the new keys after it, over an entry logged before it, verifies', () => {
    expect(verify(bundle(T0 - DAY, logNew, witNew, T0 + 2 * DAY))).toEqual({ ok: true })
  })

  it('the old log key signing over an entry logged after its retirement does not verify (key-period)', () => {
    expect(verify(bundle(T0 + 2 * DAY, logOld, witNew, T0 + 2 * DAY + 60_000))).toEqual({ ok: false, failed: 'key-period' })
  })

  it('the new log key with a cosignature from before its period does not verify (key-period)', () => {
    expect(verify(bundle(T0 - 2 * DAY, logNew, witOld, T0 - DAY))).toEqual({ ok: false, failed: 'key-period' })
  })

  it('a witness\'s old key cosigning after its retirement does not count', () => {
    expect(verify(bundle(T0 - DAY, logNew, witOld, T0 + 2 * DAY)).ok).toBe(false)
  })
})
