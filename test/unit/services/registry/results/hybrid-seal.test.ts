/**
 * Hybrid result seals (docs/SECURITY.md §Post-quantum hybrid signatures): an ML-DSA-65 signature
 * beside the Ed25519 one, checked under the verifier's policy and against the key the manifest
 * lists for the source.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { lifelong } from '../../../../../src/core/gen/proto.js'
import { generateSigningKey } from '../../../../../src/core/crypto/ed25519.ts'
import { generatePqSigningKey } from '../../../../../src/core/crypto/ml-dsa.ts'
import { subjectCommitment } from '../../../../../src/services/registry/results/record.ts'
import { sealPayload } from '../../../../../src/services/registry/results/seal.ts'
import { ResultSealer } from '../../../../../src/services/registry/results/sealer.ts'
import { openSourcedResult } from '../../../../../src/services/registry/results/verify.ts'
import { logKeyOf } from '../../../../../src/services/registry/results/keys.ts'

const ORG = '974760673'
const record = (n: number): Uint8Array =>
  lifelong.results.ResultRecord.encode({
    resultId: `r${n}`,
    version: 1,
    status: 'issued',
    kind: 'course-result',
    offeringId: `O-${n}`,
    title: { nb: `Emne ${n}`, nn: '', en: '' },
    issuer: { institutionId: 'I-1', organisationNumber: ORG, name: { nb: 'Universitetet', nn: '', en: '' }, dbhCode: '', fsNumber: '' },
    subject: { givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14', identifierCommitment: subjectCommitment(randomBytes(32), { scheme: 'national-id', value: '14839940026' }) },
    achievedOn: '2024-12-10',
    recordedBy: ORG
  }).finish()

describe('hybrid result seals', () => {
  const ed = generateSigningKey()
  const pq = generatePqSigningKey()
  const other = generatePqSigningKey()
  const source = { peerId: 'p', organisationNumber: ORG, publicKey: ed.publicKeyRaw, mlDsaPublicKey: pq.publicKeyRaw }
  const key = logKeyOf('r1', 1)

  it('verifies a hybrid seal under both policies and an Ed25519 seal under ed25519-only only', () => {
    const payload = record(1)
    const hybrid = sealPayload(ed.privateKey, ed.publicKeyRaw, payload, pq)
    const plain = sealPayload(ed.privateKey, ed.publicKeyRaw, payload)
    expect(hybrid.contentHash).toBe(plain.contentHash)
    expect(hybrid.envelope.length - plain.envelope.length).toBeGreaterThan(5000)
    const both = openSourcedResult(hybrid.envelope, source, key, 'both-required')
    expect(both.ok && both.hybrid).toBe(true)
    expect(openSourcedResult(plain.envelope, source, key, 'ed25519-only').ok).toBe(true)
    const downgraded = openSourcedResult(plain.envelope, source, key, 'both-required')
    expect(downgraded.ok ? 'ok' : downgraded.code).toBe('RESULTS_HYBRID_SIGNATURE_MISSING')
  })

  it('refuses an ML-DSA-65 half by another key than the manifest lists, or a tampered one, under either policy', () => {
    const foreign = sealPayload(ed.privateKey, ed.publicKeyRaw, record(1), other)
    for (const policy of ['ed25519-only', 'both-required'] as const) {
      const r = openSourcedResult(foreign.envelope, source, key, policy)
      expect(r.ok ? 'ok' : r.code).toBe('RESULTS_SIGNER_MISMATCH')
    }
    const env = lifelong.envelope.SignedEnvelope.decode(sealPayload(ed.privateKey, ed.publicKeyRaw, record(1), pq).envelope)
    env.mlDsaSignature[100] = (env.mlDsaSignature[100] as number) ^ 1
    const tampered = lifelong.envelope.SignedEnvelope.encode(env).finish()
    const r = openSourcedResult(tampered, source, key, 'ed25519-only')
    expect(r.ok ? 'ok' : r.code).toBe('RESULTS_BAD_SIGNATURE')
  })

  it('seals hybrid on worker threads too', async () => {
    const sealer = new ResultSealer(ed, { workers: 1, minBatch: 1, chunk: 2 }, pq)
    try {
      const session = sealer.session(4)
      for (let i = 1; i <= 4; i++) session.add(record(i))
      const sealed = await session.finish()
      sealed.forEach((s, i) => {
        const r = openSourcedResult(s.envelope, source, logKeyOf(`r${i + 1}`, 1), 'both-required')
        expect(r.ok).toBe(true)
      })
    } finally {
      await sealer.close()
    }
  })
})
