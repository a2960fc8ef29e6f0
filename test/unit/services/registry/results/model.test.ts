import { describe, expect, it } from 'vitest'
import { isPass, osloDay, type Problem } from '../../../../../src/services/registry/results/model.ts'
import { checkLearnerInput, checkResultInput } from '../../../../../src/services/registry/results/check.ts'
import { openResult, sealResult, subjectCommitment, resultView } from '../../../../../src/services/registry/results/record.ts'
import { generateSigningKey } from '../../../../../src/core/crypto/ed25519.ts'
import { sealEnvelope } from '../../../../../src/core/crypto/envelope.ts'

const policy = { allowSynthetic: true }
const kari = { nationalId: '14839940026' }
const base = { externalId: 'x-1', learner: kari, kind: 'course-result', offeringId: 'IN1000', achievedOn: '2024-12-10', grades: [{ scale: 'A-F', value: 'B' }] }

function problems (input: unknown): Problem[] {
  const out: Problem[] = []
  checkResultInput(input, 0, policy, out)
  return out
}

describe('result input checks', () => {
  it('accepts a well-formed course result and each kind\'s fields', () => {
    expect(problems(base)).toEqual([])
    expect(problems({ ...base, kind: 'micro-credential', grades: [{ scale: 'pass-fail', value: 'passed' }], microCredential: { workloadHours: 135, participation: 'online' } })).toEqual([])
    expect(
      problems({
        ...base,
        kind: 'upper-secondary-diploma',
        grades: undefined,
        parts: [{ localCode: 'REA3024', title: { nb: 'Matematikk R2' }, grades: [{ scale: '1-6', value: '5', component: 'standpunkt' }, { scale: '1-6', value: '6', component: 'exam-written' }] }]
      })
    ).toEqual([])
    expect(
      problems({
        externalId: 'r-1',
        learner: kari,
        kind: 'recognition',
        achievedOn: '2019-09-02',
        title: { nb: 'Godkjenning' },
        recognition: { foreignInstitution: 'Uppsala universitet', country: 'SE', foreignTitle: 'Omvårdnad', recognisedAs: { nb: '30 sp' }, decidedBy: 'OsloMet' }
      })
    ).toEqual([])
    expect(problems({ action: 'annul', resultId: 'r0000000000000000000a', reason: 'Fusk' })).toEqual([])
  })

  it('reports every problem with its path and code', () => {
    const p = problems({ ...base, achievedOn: '2024-02-30', term: '2024X', credits: 7.25, grades: [{ scale: 'A-F', value: 'G' }, { scale: 'X', value: '1' }, { scale: 'A-F', value: 'A', component: 'standpunkt' }], extra: 1 })
    expect(p.map((x) => `${x.path} ${x.code}`)).toEqual([
      '/results/0/extra RESULTS_INVALID',
      '/results/0/achievedOn RESULTS_INVALID',
      '/results/0/term RESULTS_INVALID',
      '/results/0/grades/0/value RESULTS_GRADE_OUT_OF_SCALE',
      '/results/0/grades/1/scale RESULTS_GRADE_OUT_OF_SCALE',
      '/results/0/grades/2/component RESULTS_INVALID',
      '/results/0/credits RESULTS_INVALID'
    ])
  })

  it('needs an external ID to issue, a reason to correct, and only the result to annul', () => {
    expect(problems({ ...base, externalId: undefined }).map((p) => p.path)).toEqual(['/results/0/externalId'])
    expect(problems({ ...base, action: 'correct' }).map((p) => p.path)).toEqual(['/results/0/reason'])
    expect(problems({ action: 'annul', resultId: 'r0000000000000000000a', reason: 'x', grades: [] }).map((p) => p.path)).toEqual(['/results/0/grades'])
    expect(problems({ ...base, reason: 'x' }).map((p) => p.path)).toEqual(['/results/0/reason'])
  })

  it('refuses learners named by anything but one acceptable identifier', () => {
    expect(problems({ ...base, learner: { nationalId: '14839940027' } })[0]?.code).toBe('RESULTS_LEARNER_INVALID')
    expect(problems({ ...base, learner: { nationalId: '14839940026', educationId: 'NO-EDU-0000-0000-0000' } })[0]?.code).toBe('RESULTS_LEARNER_INVALID')
    const strict: Problem[] = []
    checkResultInput(base, 0, { allowSynthetic: false }, strict)
    expect(strict[0]?.code).toBe('RESULTS_LEARNER_INVALID')
    // A synthetic test number on a production node says where test federations accept them.
    expect(strict[0]?.message).toContain('identifiers.allowSynthetic')
    const l: Problem[] = []
    expect(checkLearnerInput({ nationalId: '14839940026', givenNames: 'Kari', familyName: '' }, 0, policy, l)).toBeUndefined()
    expect(l.map((x) => x.path)).toEqual(['/learners/0/familyName'])
  })

  it('knows which grades pass', () => {
    expect(['A', 'E', 'passed', '2', 'passed-with-distinction'].map((v) => isPass(v.length === 1 && /\d/.test(v) ? '1-6' : v.length === 1 ? 'A-F' : v === 'passed' ? 'pass-fail' : 'trade-certificate', v))).toEqual([
      true,
      true,
      true,
      true,
      true
    ])
    expect([isPass('A-F', 'F'), isPass('1-6', '1'), isPass('pass-fail', 'failed'), isPass('A-F', 'G')]).toEqual([false, false, false, false])
    expect(osloDay(Date.UTC(2024, 11, 31, 23, 30))).toBe('2025-01-01')
  })
})

describe('signed results', () => {
  const key = generateSigningKey()
  const record = {
    resultId: 'r0000000000000000000a',
    version: 1,
    status: 'issued',
    kind: 'course-result',
    issuer: { organisationNumber: '971035854' },
    subject: { givenNames: 'Kari', familyName: 'Nordmann', identifierCommitment: subjectCommitment(new Uint8Array(32), { scheme: 'national-id', value: '14839940026' }) },
    grades: [{ scale: 'A-F', value: 'B', component: 'final' }],
    creditsTenths: 75,
    recordedBy: '971035854'
  }

  it('opens what it sealed, and refuses tampering, another domain and another payload type', () => {
    const bytes = sealResult(key, record)
    const opened = openResult(bytes)
    expect(resultView(opened.record)).toMatchObject({ resultId: record.resultId, credits: 7.5, grades: [{ value: 'B', passed: true }] })
    for (let i = 0; i < bytes.length; i += 17) {
      const t = Uint8Array.from(bytes)
      t[i] = (t[i] as number) ^ 0x40
      expect(() => openResult(t)).toThrow()
    }
    expect(() => openResult(sealEnvelope(key, 'lifelong/rpc-request/v1', 'lifelong.results.ResultRecord', new Uint8Array([8, 1])))).toThrow(expect.objectContaining({ code: 'RESULTS_BAD_SIGNATURE' }))
    expect(() => openResult(sealEnvelope(key, 'lifelong/result/v1', 'lifelong.other', new Uint8Array()))).toThrow(expect.objectContaining({ code: 'RESULTS_WRONG_TYPE' }))
    expect(() => openResult(new Uint8Array(300 * 1024))).toThrow(expect.objectContaining({ code: 'RESULTS_TOO_LARGE' }))
  })

  it('commits to the identifier under the salt only', () => {
    const salt = new Uint8Array(32).fill(7)
    const a = subjectCommitment(salt, { scheme: 'national-id', value: '14839940026' })
    expect(a).toEqual(subjectCommitment(salt, { scheme: 'national-id', value: '14839940026' }))
    expect(a).not.toEqual(subjectCommitment(salt, { scheme: 'national-id', value: '02889840016' }))
    expect(a).not.toEqual(subjectCommitment(new Uint8Array(32), { scheme: 'national-id', value: '14839940026' }))
    expect(a).not.toEqual(subjectCommitment(salt, { scheme: 'education-id', value: '14839940026' }))
  })
})
