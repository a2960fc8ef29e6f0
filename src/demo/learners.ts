/**
 * Sample learners for the local federation, registered the way real members do it: the
 * institutions register the learners they know and their pointers and enrolments over the
 * signed protocol (with the learner's name and birth date, which a first pointer to a learner
 * another institution registered needs), and ask the index for education IDs for people with no
 * Norwegian number. A fødselsnummer replacing a D-number is asked for by the institution and
 * approved by the operator through the index's HTTP API, as in production.
 * Every national ID is a synthetic Tenor test number (month + 80); the people do not exist.
 * Idempotent: a restarted demo registers nothing twice.
 */
import { writeFileSync } from 'node:fs'
import type { LifelongNode } from '../node.ts'
import type { RunningFederation } from './local-federation.ts'
import { syntheticNationalId, syntheticPerson } from './synthetic.ts'
import { mintDevToken } from './dev-issuer.ts'
import { SCOPES } from '../edges/registry/learners/routes.ts'
import { LifelongError } from '../core/errors.ts'
import type { LearnerInput } from '../services/registry/learners/model.ts'

const WHY = { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }

/** A sample learner as the demo summary lists it (synthetic data only). */
export interface SampleLearner {
  learnerId: string
  name: string
  /** The identifier the learner signs in with: a synthetic national ID or an education ID. */
  signsInWith: { scheme: string, value: string }
  institutions: string[]
  /** A DEVELOPMENT learner token for POST /learners/self on the index. */
  token: string
}

interface Foreign {
  key: string
  given: string
  family: string
  birthDate: string
  identifiers: LearnerInput['identifiers']
  at: string
}

const FOREIGN: Foreign[] = [
  { key: 'demo-foreign-1', given: 'Anna', family: 'Müller', birthDate: '2001-03-04', identifiers: [{ scheme: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:uni-heidelberg.de:7734512' }], at: 'uio' },
  { key: 'demo-foreign-2', given: 'Łukasz', family: 'Wiśniewski', birthDate: '1999-11-21', identifiers: [{ scheme: 'foreign', country: 'PL', value: '99112104567' }], at: 'ntnu' },
  { key: 'demo-foreign-3', given: 'Chiara', family: 'Rossi', birthDate: '2002-07-15', identifiers: [{ scheme: 'esi', value: 'urn:schac:personalUniqueCode:int:esi:unibo.it:0001234567' }], at: 'uib' },
  { key: 'demo-foreign-4', given: 'Amina', family: 'Yusuf', birthDate: '1998-01-30', identifiers: [], at: 'uio' }
]

function dNumber (birthDate: string): string {
  for (let i = 500;; i++) {
    const n = syntheticNationalId(birthDate, i, { dNumber: true })
    if (n !== undefined) return n
  }
}

/** The offering each sample institution enrols its learners in, by local code (the sample catalogue's). */
export const SAMPLE_ENROLMENT_OFFERINGS: Readonly<Record<string, string>> = { uio: 'BAINF-PSA', ntnu: 'TDT4100', uib: 'INF100', oslomet: 'SYK1000', vestland: 'STUSPE' }

/**
 * Registers the sample learners through the federation's institutions; returns them with dev
 * tokens. With `enrolIn` (the registry's offering ID for an institution's slug), each
 * institution also records its learners' enrolments, with study load, against that registry ID:
 * through its own enrolment register, which checks the ID through the registry lookup and
 * registers the enrolment at the index.
 */
export async function seedLearners (federation: RunningFederation, summaryFile?: string, enrolIn?: (slug: string) => string | undefined): Promise<SampleLearner[]> {
  const institutions = [...federation.nodes.entries()].filter(([, n]) => n.config.roles.includes('institution'))
  if (institutions.length === 0 || [...federation.nodes.values()].every((n) => !n.config.roles.includes('index'))) return []
  const key = federation.plan.devIssuerKey
  const out: SampleLearner[] = []
  const at = (slug: string): LifelongNode => federation.nodes.get(slug) ?? (institutions[0] as [string, LifelongNode])[1]

  // Twenty Norwegian learners, spread over the institutions; every fourth also at the next one.
  const people = Array.from({ length: 20 }, (_, i) => syntheticPerson(4_000_000 + i * 7919))
  const homes = people.map((_, i) => [i % institutions.length, ...(i % 4 === 0 && institutions.length > 1 ? [(i + 1) % institutions.length] : [])])
  const learnerIds: string[] = new Array(people.length).fill('')
  // One batch per institution for each kind of registration, all institutions at once.
  await Promise.all(institutions.map(async ([slug, node], k) => {
    const mine = people.map((p, i) => ({ p, i })).filter(({ i }) => homes[i]?.includes(k))
    const outcomes = await node.learners.index.registerLearners(
      mine.map(({ p, i }) => ({
        identifiers: [{ scheme: 'national-id', value: p.nationalId }],
        name: { given: p.given, family: p.family },
        birthDate: p.birthDate,
        gender: p.gender,
        contact: { channels: [{ kind: 'email', value: `${p.given.toLowerCase()}.${i}@student.example.no` }] }
      })),
      WHY
    )
    outcomes.forEach((o, j) => {
      learnerIds[(mine[j] as { i: number }).i] = o.learnerId ?? ''
    })
    const identity = (i: number): { name: { given: string, family: string }, birthDate: string } => {
      const p = people[i] as (typeof people)[number]
      return { name: { given: p.given, family: p.family }, birthDate: p.birthDate }
    }
    await node.learners.registrar?.registerPointers(mine.map(({ i }) => ({ learner: { learnerId: learnerIds[i] }, action: 'register', identity: identity(i) })))
    const offeringId = enrolIn?.(slug)
    if (offeringId !== undefined && node.results !== undefined) {
      // The institution knows its students, and records their study rights against the registry's offering ID.
      await node.results.registry.ingest({ learners: mine.map(({ p }) => ({ nationalId: p.nationalId, givenNames: p.given, familyName: p.family, birthDate: p.birthDate })) })
      await node.results.enrolments.record(mine.map(({ p, i }) => ({
        externalId: `demo-study-right-${i}`,
        learner: { nationalId: p.nationalId },
        offeringId,
        studyLoadPercent: i % 3 === 0 ? 50 : 100,
        status: i % 5 === 0 ? 'completed' : 'active',
        startDate: '2022-08-15',
        ...(i % 5 === 0 ? { endDate: '2025-06-20' } : {})
      })))
    }
  }))
  for (const [i, p] of people.entries()) {
    out.push({
      learnerId: learnerIds[i] as string,
      name: `${p.given} ${p.family}`,
      signsInWith: { scheme: 'national-id', value: p.nationalId },
      institutions: (homes[i] ?? []).map((k) => (institutions[k] as [string, LifelongNode])[0]),
      token: await mintDevToken(key, { principal: 'learner', subject: p.nationalId, ttlSeconds: 86_400 })
    })
  }

  // A learner who came with a D-number and later got a fødselsnummer: both resolve to one learner.
  const movedIn = syntheticPerson(4_500_000)
  const dnr = dNumber(movedIn.birthDate)
  const [uioSlug, uio] = institutions[0] as [string, LifelongNode]
  const [moved] = await uio.learners.index.registerLearners([{ identifiers: [{ scheme: 'national-id', value: dnr }], name: { given: movedIn.given, family: movedIn.family }, birthDate: movedIn.birthDate }], WHY)
  await uio.learners.registrar?.registerPointers([{ learner: { learnerId: moved?.learnerId ?? '' }, action: 'register' }])
  const asked = await uio.learners.index.addIdentifier({ learnerId: moved?.learnerId ?? '' }, { scheme: 'national-id', value: movedIn.nationalId }, { scheme: 'national-id', value: dnr }, WHY)
  if (asked.pending === true) await approveAsOperator(federation, asked.changeRequestId ?? '')
  out.push({
    learnerId: moved?.learnerId ?? '',
    name: `${movedIn.given} ${movedIn.family} (D-number replaced by a fødselsnummer)`,
    signsInWith: { scheme: 'national-id', value: movedIn.nationalId },
    institutions: [uioSlug],
    token: await mintDevToken(key, { principal: 'learner', subject: movedIn.nationalId, ttlSeconds: 86_400 })
  })

  // Learners with no Norwegian number: education IDs issued by the index.
  const issued = await Promise.all(FOREIGN.map(async (f) => {
    const node = at(f.at)
    const res = await node.learners.index.issueEducationId({ identifiers: f.identifiers, name: { given: f.given, family: f.family }, birthDate: f.birthDate }, f.key, WHY)
    await node.learners.registrar?.registerPointers([{ learner: { learnerId: res.learnerId ?? '' }, action: 'register' }])
    return res
  }))
  for (const [i, f] of FOREIGN.entries()) {
    const res = issued[i] as (typeof issued)[number]
    out.push({
      learnerId: res.learnerId ?? '',
      name: `${f.given} ${f.family} (education ID only)`,
      signsInWith: { scheme: 'education-id', value: res.educationId ?? '' },
      institutions: [f.at],
      token: await mintDevToken(key, { principal: 'learner', subject: res.educationId ?? '', ttlSeconds: 86_400 })
    })
  }

  // Someone the portal looked up, so that the access log has a read in it.
  const portal = [...federation.nodes.values()].find((n) => n.config.roles.includes('portal'))
  if (portal !== undefined && out[0] !== undefined) {
    await portal.learners.index.findResultSources({ learnerId: out[0].learnerId }, { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' })
  }

  if (summaryFile !== undefined) {
    const service = await mintDevToken(key, { principal: 'service', subject: 'demo-operator', scopes: Object.values(SCOPES), ttlSeconds: 86_400 })
    writeFileSync(
      summaryFile,
      JSON.stringify(
        {
          note: 'SYNTHETIC DATA and DEVELOPMENT tokens of the local federation only. Try: curl -s -X POST <index http>/learners/self -H "authorization: Bearer <token>" -H "content-type: application/json" -d "{}"',
          serviceToken: service,
          learners: out
        },
        null,
        2
      ) + '\n',
      { mode: 0o600 }
    )
  }
  return out
}

/**
 * The operator approves a change request at the index, through its HTTP API with a DEVELOPMENT
 * service token of scope learners.approve: what the operator's desk does in production after
 * checking the change with the population register.
 */
async function approveAsOperator (federation: RunningFederation, id: string): Promise<void> {
  const index = [...federation.nodes.values()].find((n) => n.config.roles.includes('index'))
  if (index === undefined) return
  const token = await mintDevToken(federation.plan.devIssuerKey, { principal: 'service', subject: 'demo-operator', scopes: [SCOPES.approve], ttlSeconds: 300 })
  const res = await index.http.inject({
    method: 'POST',
    url: '/learners/change-requests/decide',
    headers: { authorization: `Bearer ${token}` },
    payload: { id, decision: 'approve', note: 'sample data: the D-number holder got a fødselsnummer', purpose: 'index.identity-maintenance', legalBasis: 'gdpr-6-1-e' }
  })
  if (res.statusCode !== 200) throw new LifelongError('internal', 'DEMO_APPROVAL_FAILED', `the sample change request was not approved: ${res.statusCode} ${res.body}`)
}
