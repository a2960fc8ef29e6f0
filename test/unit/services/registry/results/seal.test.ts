import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { lifelong } from '../../../../../src/core/gen/proto.js'
import { generateSigningKey } from '../../../../../src/core/crypto/ed25519.ts'
import { encodeSignedEnvelope } from '../../../../../src/core/crypto/signed-data.ts'
import { openResult, sealResult, subjectCommitment, type ResultRecordProps } from '../../../../../src/services/registry/results/record.ts'
import { contentHashOfPayload, sealPayload } from '../../../../../src/services/registry/results/seal.ts'
import { ResultSealer } from '../../../../../src/services/registry/results/sealer.ts'

const facts = (n: number): ResultRecordProps => ({
  kind: 'course-result',
  offeringId: `O-${n}`,
  localCode: `IN${n}`,
  title: { nb: `Emne ${n}`, nn: '', en: `Course ${n}` },
  issuer: { institutionId: 'I-1', organisationNumber: '974760673', name: { nb: 'Universitetet', nn: '', en: '' }, dbhCode: '', fsNumber: '' },
  subject: { givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14', identifierCommitment: subjectCommitment(randomBytes(32), { scheme: 'national-id', value: '14839940026' }) },
  achievedOn: '2024-12-10',
  issuedOn: '2024-12-20',
  term: '2024H',
  grades: [{ scale: 'A-F', value: 'B', component: 'final' }],
  creditsTenths: 100,
  nkrLevel: '6',
  eqfLevel: 6,
  iscedF: '0613',
  languages: ['nb', 'en'],
  learningOutcomes: { nb: 'Kan programmere', nn: '', en: '' },
  microCredential: null,
  recognition: null,
  parts: [{ resultId: '', offeringId: 'P', localCode: 'P1', title: { nb: 'Del', nn: '', en: '' }, grades: [], creditsTenths: 50, achievedOn: '', term: '' }]
})

/** The content hash as the registry defined it: HMAC over the facts encoded alone, without the issued-on day. */
function factsHash (f: ResultRecordProps): string {
  const { issuedOn: _issued, ...rest } = f
  return createHmac('sha256', 'lifelong/results/content').update(lifelong.results.ResultRecord.encode(rest).finish()).digest('hex')
}

describe('sealing result records', () => {
  it('takes the content hash from the encoded record: the same as hashing the facts alone', () => {
    for (const n of [1, 2, 3]) {
      const f = facts(n)
      const record: ResultRecordProps = { ...f, resultId: 'r0000000000000000000a', version: 2, status: 'corrected', reason: 'Klage', previous: randomBytes(32), recordedBy: '974760673', recordedAtMs: Date.now() }
      expect(contentHashOfPayload(lifelong.results.ResultRecord.encode(record).finish())).toBe(factsHash(f))
    }
    // Another issued-on day or version is the same facts; another grade is not.
    const f = facts(1)
    const a = lifelong.results.ResultRecord.encode({ ...f, resultId: 'r1', version: 1 }).finish()
    const b = lifelong.results.ResultRecord.encode({ ...f, issuedOn: '2025-01-01', resultId: 'r1', version: 3 }).finish()
    const c = lifelong.results.ResultRecord.encode({ ...f, grades: [{ scale: 'A-F', value: 'C', component: 'final' }] }).finish()
    expect(contentHashOfPayload(a)).toBe(contentHashOfPayload(b))
    expect(contentHashOfPayload(a)).not.toBe(contentHashOfPayload(c))
    expect(() => contentHashOfPayload(new Uint8Array([0x0a, 0x05, 0x41]))).toThrow(expect.objectContaining({ code: 'RESULTS_MALFORMED' }))
  })

  it('writes the same envelope bytes as the protobuf encoder and sealResult', () => {
    const key = generateSigningKey()
    const payload = lifelong.results.ResultRecord.encode({ ...facts(1), resultId: 'r1', version: 1, status: 'issued' }).finish()
    const sig = randomBytes(64)
    const type = new TextEncoder().encode('lifelong.results.ResultRecord')
    expect(Buffer.from(encodeSignedEnvelope(key.publicKeyRaw, type, payload, sig))).toEqual(
      Buffer.from(lifelong.envelope.SignedEnvelope.encode({ publicKey: key.publicKeyRaw, payloadType: 'lifelong.results.ResultRecord', payload, signature: sig }).finish())
    )
    const record = { ...facts(1), resultId: 'r1', version: 1, status: 'issued' }
    const sealed = sealPayload(key.privateKey, key.publicKeyRaw, lifelong.results.ResultRecord.encode(record).finish())
    expect(Buffer.from(sealed.envelope)).toEqual(Buffer.from(sealResult(key, record)))
    expect(openResult(sealed.envelope).record.resultId).toBe('r1')
  })

  it('seals a large batch on worker threads and here, in order, with the same bytes as one by one', async () => {
    const key = generateSigningKey()
    const sealer = new ResultSealer(key, { workers: 2, minBatch: 10, chunk: 7 })
    try {
      const payloads = Array.from({ length: 200 }, (_, i) => lifelong.results.ResultRecord.encode({ ...facts(i), resultId: `r${i}`, version: 1, status: 'issued' }).finish())
      for (let round = 0; round < 2; round++) {
        const session = sealer.session(payloads.length)
        payloads.forEach((p, i) => {
          expect(session.add(p)).toBe(i)
        })
        const out = await session.finish()
        expect(out).toHaveLength(payloads.length)
        out.forEach((s, i) => {
          const one = sealPayload(key.privateKey, key.publicKeyRaw, payloads[i] as Uint8Array)
          expect(Buffer.from(s.envelope)).toEqual(Buffer.from(one.envelope))
          expect(s.contentHash).toBe(one.contentHash)
          expect(openResult(s.envelope).record.resultId).toBe(`r${i}`)
        })
      }
    } finally {
      await sealer.close()
    }
    // Closed: still seals, on the calling thread.
    const session = sealer.session(50)
    for (let i = 0; i < 50; i++) session.add(lifelong.results.ResultRecord.encode({ ...facts(i), resultId: `r${i}` }).finish())
    expect(await session.finish()).toHaveLength(50)
  })

  it('hands every chunk of a batch added in one synchronous stretch to the workers: the calling thread seals none', async () => {
    const key = generateSigningKey()
    const sealer = new ResultSealer(key, { workers: 2, minBatch: 10, chunk: 7 })
    try {
      const here = vi.spyOn(sealer, 'sealHere')
      const payloads = Array.from({ length: 300 }, (_, i) => lifelong.results.ResultRecord.encode({ ...facts(i), resultId: `r${i}`, version: 1, status: 'issued' }).finish())
      const session = sealer.session(payloads.length)
      // As the registry plans a batch: every record added before anything is awaited.
      for (const p of payloads) session.add(p)
      const out = await session.finish()
      expect(out.map((s) => openResult(s.envelope).record.resultId)).toEqual(payloads.map((_, i) => `r${i}`))
      expect(here).not.toHaveBeenCalled()
    } finally {
      await sealer.close()
    }
  })
})
