import { describe, expect, it } from 'vitest'
import { federationForFile, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { syntheticNationalId } from '../../../src/demo/synthetic.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { GetAccessLog, GetResults } from '../../../src/services/registry/results/protocol.ts'
import { openSourceCheckpoint, verifyServedResult, logOriginOf } from '../../../src/services/registry/results/verify.ts'
import { openResult } from '../../../src/services/registry/results/record.ts'
import { ValidationError } from '../../../src/core/errors.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { RESULTS_SCOPE } from '../../../src/edges/registry/results/routes.ts'

/**
 * One federation for the file: each test registers learners of its own (Kari and Ola by name,
 * with national IDs no other test uses) and results under external IDs of its own.
 */
const catalogue = testCatalogue()
const shared = federationForFile(
  [
    spec('uio', ['institution'], ORG.a),
    spec('ntnu', ['institution'], ORG.b),
    spec('portal', ['portal'], ORG.operator)
  ],
  { nodeOptions: () => ({ parts: { offerings: () => catalogue } }) },
  async (fed) => {
    await waitForMesh(fed)
  }
)

async function federation () {
  const fed = shared()
  return { fed, catalogue, uio: fed.node('uio'), ntnu: fed.node('ntnu'), portal: fed.node('portal') }
}

let namespaces = 0
let individual = 100
/** A synthetic national ID for `birthDate` that no other test of the file uses. */
function freshId (birthDate: string): string {
  for (;;) {
    const id = syntheticNationalId(birthDate, individual++)
    if (id !== undefined && id !== LEARNERS.kari.nationalId && id !== LEARNERS.ola.nationalId) return id
  }
}
/** This test's Kari and Ola (new national IDs) and a prefix for its external result IDs. */
function namespace (): { kari: typeof LEARNERS.kari, ola: typeof LEARNERS.ola, x: (id: string) => string } {
  const n = ++namespaces
  return {
    kari: { ...LEARNERS.kari, nationalId: freshId(LEARNERS.kari.birthDate) } as unknown as typeof LEARNERS.kari,
    ola: { ...LEARNERS.ola, nationalId: freshId(LEARNERS.ola.birthDate) } as unknown as typeof LEARNERS.ola,
    x: (id) => `t${n}-${id}`
  }
}

async function rejected (p: Promise<unknown>): Promise<ValidationError> {
  try {
    await p
  } catch (err) {
    if (err instanceof ValidationError) return err
    throw err
  }
  throw new Error('expected a ValidationError')
}

const codesOf = (err: ValidationError): string[] => (err.details as { problems: Array<{ code: string }> }).problems.map((p) => p.code)

describe('results registry at an institution node', () => {
  it('issues signed, logged results; re-ingest is idempotent; bad input stores nothing', async () => {
    const { uio } = await federation()
    const { kari, ola, x } = namespace()
    const reg = uio.results!.registry
    const report = await reg.ingest({ learners: [kari, ola], results: [course(x('fs-1'), kari, 'IN1000', 'B'), course(x('fs-2'), kari, 'IN1150', 'C'), course(x('fs-3'), ola, 'IN1000', 'A')] })
    expect(report.learners).toEqual({ created: 2, updated: 0, unchanged: 0 })
    expect(report.results.map((r) => r.outcome)).toEqual(['issued', 'issued', 'issued'])
    const size = uio.log.store.size
    const again = await reg.ingest({ learners: [kari, ola], results: [course(x('fs-1'), kari, 'IN1000', 'B'), course(x('fs-2'), kari, 'IN1150', 'C'), course(x('fs-3'), ola, 'IN1000', 'A')] })
    expect(again.results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(again.results.map((r) => r.resultId)).toEqual(report.results.map((r) => r.resultId))
    expect(uio.log.store.size).toBe(size)

    // Each bad input has its code, and the whole batch is refused.
    const cases: Array<[Record<string, unknown>, string]> = [
      [course(x('fs-9'), kari, 'NOPE', 'B'), 'RESULTS_UNKNOWN_OFFERING'],
      [course(x('fs-9'), { nationalId: '21840150051' }, 'IN1000', 'B'), 'RESULTS_UNKNOWN_LEARNER'],
      [course(x('fs-9'), kari, 'IN1000', 'G'), 'RESULTS_GRADE_OUT_OF_SCALE'],
      [{ ...course(x('fs-9'), kari, 'IN1000', 'B'), grades: [{ scale: '1-6', value: '5' }] }, 'RESULTS_GRADE_OUT_OF_SCALE'],
      [course(x('fs-9'), kari, 'TDT4100', 'B'), 'RESULTS_NOT_OWNER'],
      [course(x('fs-9'), { nationalId: '14839940027' }, 'IN1000', 'B'), 'RESULTS_LEARNER_INVALID'],
      [course(x('fs-1'), kari, 'IN1000', 'A'), 'RESULTS_CONFLICT']
    ]
    for (const [bad, code] of cases) {
      const err = await rejected(reg.ingest({ results: [course(x('fs-10'), ola, 'IN1150', 'B'), bad] }))
      expect(codesOf(err)).toEqual([code])
      expect(err.code).toBe(code)
    }
    expect(uio.log.store.size).toBe(size)
    // The good result of those batches was not stored either.
    expect((await reg.ingest({ results: [course(x('fs-10'), ola, 'IN1150', 'B')] })).results[0]!.outcome).toBe('issued')
  })

  it('corrections and annulments are new versions chained to the previous one; only the owner corrects', async () => {
    const { uio } = await federation()
    const { kari, x } = namespace()
    const reg = uio.results!.registry
    const [first] = (await reg.ingest({ learners: [kari], results: [course(x('fs-1'), kari, 'IN1000', 'C')] })).results
    const id = first!.resultId
    const corrected = await reg.ingest({ results: [{ ...course(x('fs-1'), kari, 'IN1000', 'B'), action: 'correct', reason: 'Klage: ny sensur' }] })
    expect(corrected.results[0]).toMatchObject({ resultId: id, version: 2, outcome: 'corrected' })
    // Correcting to the same facts again is idempotent.
    expect((await reg.ingest({ results: [{ ...course(x('fs-1'), kari, 'IN1000', 'B'), action: 'correct', reason: 'again' }] })).results[0]!.outcome).toBe('unchanged')
    // A correction that names another organisation's offering is refused: only the owner corrects.
    expect(codesOf(await rejected(reg.ingest({ results: [{ ...course(x('fs-1'), kari, 'TDT4100', 'A'), action: 'correct', reason: 'x' }] })))).toEqual(['RESULTS_NOT_OWNER'])
    await reg.ingest({ results: [{ resultId: id, action: 'annul', reason: 'Fusk' }] })
    expect(codesOf(await rejected(reg.ingest({ results: [{ ...course(x('fs-1'), kari, 'IN1000', 'A'), action: 'correct', reason: 'x' }] })))).toEqual(['RESULTS_ANNULLED'])
    expect(codesOf(await rejected(reg.ingest({ results: [{ resultId: 'r0000000000000000000a', action: 'annul', reason: 'x' }] })))).toEqual(['RESULTS_NOT_FOUND'])

    const history = await reg.history(id)
    expect(history.map((v) => openResult(v.envelope).record.status)).toEqual(['issued', 'corrected', 'annulled'])
    const v3 = openResult(history[2]!.envelope).record
    expect(v3.reason).toBe('Fusk')
    expect(v3.grades[0]!.value).toBe('B')
    // Earlier versions are untouched and each later one names its predecessor's hash.
    expect(openResult(history[0]!.envelope).record.grades[0]!.value).toBe('C')
    expect(Buffer.from(openResult(history[1]!.envelope).record.previous).length).toBe(32)
  })

  it('takes ingest over HTTP, with a report of every problem', async () => {
    const { fed, uio } = await federation()
    const { kari, x } = namespace()
    const headers = { authorization: `Bearer ${await mintDevToken(fed.plan.devIssuerKey, { principal: 'service', subject: 'fs', scopes: [RESULTS_SCOPE] })}` }
    const ok = await uio.http.inject({ method: 'POST', url: '/results/batches', headers, payload: { learners: [kari], results: [course(x('fs-1'), kari, 'IN1000', 'B')] } })
    expect(ok.statusCode).toBe(200)
    expect(ok.json().results[0].outcome).toBe('issued')
    const bad = await uio.http.inject({ method: 'POST', url: '/results/batches', headers, payload: { results: [course(x('fs-2'), kari, 'IN1000', 'X'), course(x('fs-3'), kari, 'NOPE', 'A')] } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('RESULTS_REJECTED')
    expect(bad.json().fields.map((f: { path: string }) => f.path)).toEqual(['/results/0/grades/0/value', '/results/1/offeringId'])
  })

  it('serves a learner\'s results to the portal only, logs the access, and every result verifies', async () => {
    const { fed, uio, ntnu, portal } = await federation()
    const { kari, ola, x } = namespace()
    await waitForMesh(fed)
    await uio.results!.registry.ingest({ learners: [kari, ola], results: [course(x('fs-1'), kari, 'IN1000', 'B'), course(x('fs-2'), kari, 'IN1150', 'C'), course(x('fs-3'), ola, 'IN1000', 'A')] })
    const why = { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' }
    const subject = { scheme: 'national-id', value: kari.nationalId }
    const res = await portal.client.call(uio.peerId, GetResults, { subject }, why)
    expect(res.learnerKnown).toBe(true)
    expect(res.results).toHaveLength(2)
    const source = uio.federation.member(uio.peerId)!
    const checkpoint = openSourceCheckpoint(res.checkpoint!, logOriginOf('no.lifelong.test', uio.peerId), source)
    const verified = res.results!.map((r) => verifyServedResult(r, { source, checkpoint, subjects: [{ scheme: 'national-id', value: kari.nationalId }] }))
    expect(verified.every((v) => v.ok)).toBe(true)
    expect(verified.map((v) => v.view?.title.nb).sort()).toEqual(['Introduksjon til objektorientert programmering', 'Logiske metoder'])

    // Ola's results are not Kari's: the subject commitment does not open to Kari's number.
    const olas = await portal.client.call(uio.peerId, GetResults, { subject: { scheme: 'national-id', value: ola.nationalId } }, why)
    expect(verifyServedResult(olas.results![0]!, { source, checkpoint: openSourceCheckpoint(olas.checkpoint!, logOriginOf('no.lifelong.test', uio.peerId), source), subjects: [{ scheme: 'national-id', value: kari.nationalId }] }))
      .toMatchObject({ ok: false, code: 'RESULTS_SUBJECT_MISMATCH' })

    // A tampered byte anywhere in the envelope, or a result served by another node, is flagged.
    const tampered = { ...res.results![0]!, envelope: Uint8Array.from(res.results![0]!.envelope!) }
    const at = tampered.envelope.length - 80
    tampered.envelope[at] = (tampered.envelope[at] as number) ^ 1
    expect(verifyServedResult(tampered, { source, checkpoint }).ok).toBe(false)
    expect(verifyServedResult(res.results![0]!, { source: ntnu.federation.member(ntnu.peerId)!, checkpoint })).toMatchObject({ ok: false, code: 'RESULTS_SIGNER_MISMATCH' })
    const wrongProof = { ...res.results![0]!, logIndex: Number(res.results![0]!.logIndex) + 1 }
    expect(verifyServedResult(wrongProof, { source, checkpoint })).toMatchObject({ ok: false, code: 'RESULTS_RECORD_NOT_IN_LOG' })

    // Least privilege: another institution may not read results; a wrong purpose is refused.
    await expect(ntnu.client.call(uio.peerId, GetResults, { subject }, why)).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED' })
    await expect(portal.client.call(uio.peerId, GetResults, { subject }, { purpose: 'marketing', legalBasis: 'gdpr-6-1-e' })).rejects.toMatchObject({ code: 'RESULTS_PURPOSE_REFUSED' })
    await expect(portal.client.call(uio.peerId, GetResults, { subject }, { purpose: 'portal.share-view', legalBasis: 'gdpr-6-1-e' })).rejects.toMatchObject({ code: 'RESULTS_LEGAL_BASIS_REFUSED' })
    await expect(portal.client.call(uio.peerId, GetResults, { subject }, {})).rejects.toMatchObject({ code: 'RPC_PURPOSE_REQUIRED' })

    // An unknown learner: nothing to hand over.
    expect(await portal.client.call(uio.peerId, GetResults, { subject: { scheme: 'national-id', value: '21840150051' } }, why)).toMatchObject({ learnerKnown: false })

    // The read is in the learner's access log at the source, under the portal's organisation.
    const log = await portal.client.call(uio.peerId, GetAccessLog, { subject, limit: 10 }, { purpose: 'portal.access-log', legalBasis: 'gdpr-6-1-e' })
    expect(log.rows!.length).toBe(1)
    expect(log.rows![0]).toMatchObject({ organisationNumber: ORG.operator, operation: 'results.get', purpose: 'portal.own-results', results: 2 })
  })

  it('a result whose log index was lost in a crash is found again in the log', async () => {
    const { fed, uio, portal } = await federation()
    const { kari, x } = namespace()
    await waitForMesh(fed)
    const reg = uio.results!.registry
    const [r] = (await reg.ingest({ learners: [kari], results: [course(x('fs-1'), kari, 'IN1000', 'B')] })).results
    // Simulate the crash window: the state without its log index.
    const key = `s/${r!.resultId}`
    const state = JSON.parse(new TextDecoder().decode(await uio.storage.sublevel('results').get(key)))
    delete state.i
    await uio.storage.sublevel('results').put(key, new TextEncoder().encode(JSON.stringify(state)))
    const res = await portal.client.call(uio.peerId, GetResults, { subject: { scheme: 'national-id', value: kari.nationalId } }, { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' })
    const source = uio.federation.member(uio.peerId)!
    expect(verifyServedResult(res.results![0]!, { source, checkpoint: openSourceCheckpoint(res.checkpoint!, logOriginOf('no.lifelong.test', uio.peerId), source) }).ok).toBe(true)
  })
})
