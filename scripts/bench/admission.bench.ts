/**
 * Admission scoring (issue 15):
 *
 * 1. Scoring an admission round of 150,000 applicants (quick mode: 15,000) by the rules of 2025
 *    against a special requirement (MATRS): `scoreBatch` over synthetic applicants, each with a
 *    first-time diploma of 24 subjects (about 36 grades), a few realfag subjects, some with
 *    privatist improvements and additional points — against the raw cost of the same round's
 *    arithmetic: summing every numeric grade of every applicant once.
 * 2. The gather path at a smaller scale: an admission node scoring applicants whose diplomas are
 *    at an institution node (index lookup, a signed GetResults to the source, verification of
 *    every result and its checkpoint, scoring), 16 applicants at a time — against the same
 *    number of bare GetResults round trips to the source at the same concurrency.
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { freePorts } from '../../test/helpers/ports.ts'
import { planLocalFederation, startLocalFederation } from '../../src/demo/local-federation.ts'
import { scoreBatch, rank } from '../../src/core/admission/batch.ts'
import { STANDARD_REQUIREMENTS } from '../../src/core/admission/requirements.ts'
import type { Applicant, SubjectResult } from '../../src/core/admission/model.ts'
import { GetResults } from '../../src/services/registry/results/protocol.ts'
import { ADMISSION_PURPOSE } from '../../src/services/admission/module.ts'
import type { OfferingCatalogue } from '../../src/services/registry/results/ports.ts'
import { fmt, timeBlock, type Benchmark, type BenchRow } from './harness.ts'
import { organisationNumbers, syntheticNationalIds } from './results-fixtures.ts'

const COMMON = ['NOR1211', 'NOR1212', 'NOR1213', 'ENG1002', 'MAT1011', 'MAT1015', 'NAT1002', 'SAF1001', 'HIS1003']
const REALFAG = ['REA3022', 'REA3024', 'REA3026', 'REA3028', 'REA3004', 'REA3005', 'REA3011', 'REA3012', 'REA3001']

/** A deterministic pseudo-random sequence (xorshift), so that every run scores the same round. */
function prng (seed: number): () => number {
  let x = seed | 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

function syntheticApplicant (i: number, rnd: () => number): Applicant {
  const grade = (): string => String(2 + Math.floor(rnd() * 5))
  const subjects: SubjectResult[] = []
  const codes = [...COMMON, ...REALFAG.filter(() => rnd() < 0.35)]
  while (codes.length < 24) codes.push(`PRG${codes.length}`)
  codes.forEach((code, k) => {
    const grades = [{ component: 'standpunkt', value: grade() }]
    // About half the subjects also have an exam grade.
    if (rnd() < 0.5) grades.push({ component: 'exam-written', value: grade() })
    subjects.push({ ref: `d${i}#${k}`, code, grades })
  })
  const later = rnd() < 0.2 ? [{ ref: `p${i}`, code: 'NOR1211', grades: [{ component: 'exam-written', value: grade() }] }] : []
  return {
    id: `A${i}`,
    birthYear: 1990 + Math.floor(rnd() * 17),
    diplomas: [{ ref: `d${i}`, firstTime: true, issuedOn: '2024-06-20', subjects }],
    ...(later.length === 0 ? {} : { later }),
    ...(rnd() < 0.15 ? { additional: { folkehogskole: { ref: `f${i}` } } } : {})
  }
}

function scoringRows (total: number, log: (l: string) => void): BenchRow[] {
  const rnd = prng(42)
  const applicants = Array.from({ length: total }, (_, i) => syntheticApplicant(i, rnd))
  // Warm-up (JIT), not counted.
  scoreBatch(applicants.slice(0, 2000), 2025, STANDARD_REQUIREMENTS.MATRS)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const outcomes = scoreBatch(applicants, 2025, STANDARD_REQUIREMENTS.MATRS)
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const t1 = performance.now()
  const ranked = rank(outcomes, 'ordinary')
  const rankSeconds = (performance.now() - t1) / 1000
  // The raw arithmetic of the round: every numeric grade summed once.
  const r0 = performance.now()
  let sink = 0
  for (const a of applicants) {
    for (const d of a.diplomas) {
      for (const s of d.subjects) {
        for (const g of s.grades) {
          const n = Number(g.value)
          if (n >= 1 && n <= 6) sink += n
        }
      }
    }
  }
  const rawSeconds = (performance.now() - r0) / 1000
  if (sink === 0) throw new Error('no grades summed')
  const failed = outcomes.filter((o) => !o.ok).length
  log(`scored ${fmt(total)} in ${fmt(seconds, 2)} s (${fmt(total / seconds)}/s); ranked in ${fmt(rankSeconds * 1000)} ms; raw sum ${fmt(rawSeconds * 1000)} ms`)
  return [{
    name: `admission round scored (rules of 2025, requirement MATRS; ${fmt(total)} applicants, 24 subjects and ~36 grades each)`,
    value: total / seconds,
    unit: 'applicants/s',
    baseline: { name: 'every numeric grade of the round summed once', value: total / rawSeconds },
    note: `${fmt(seconds, 2)} s for the round (${fmt(seconds * 1e6 / total, 1)} µs and ${fmt((cpu.user + cpu.system) / total, 1)} µs CPU per applicant); ranking the ordinary quota ${fmt(rankSeconds * 1000)} ms; ${
      fmt(ranked.length)
    } ranked, ${fmt(failed)} not scorable`
  }]
}

/** Upper-secondary programme offerings of the county: `VGS-<org>`. */
function countyCatalogue (): OfferingCatalogue {
  return {
    async find (id) {
      const m = /^VGS-(\d{9})$/.exec(id)
      if (m === null) return undefined
      const owner = { id: `I-${m[1] as string}`, organisationNumber: m[1] as string, name: { nb: 'Fylkeskommunen' } }
      return {
        id,
        kind: 'upper-secondary-programme',
        localCode: 'STUSPE',
        title: { nb: 'Studiespesialisering' },
        credits: 0,
        nkrLevel: '4',
        eqfLevel: 4,
        iscedF: '0031',
        languages: ['nb'],
        gradingScale: '1-6',
        learningOutcomes: {},
        owner,
        issuer: owner
      }
    }
  }
}

async function gatherRows (tmp: string, total: number, log: (l: string) => void): Promise<BenchRow[]> {
  const [org] = organisationNumbers(1) as [string]
  const ports = await freePorts(6)
  const plan = planLocalFederation(
    {
      federation: 'no.lifelong.bench',
      basePorts: { p2p: 0, http: 0 },
      manifestValidityDays: 1,
      nodes: [
        { slug: 'index', name: 'Index', organisationNumber: '919477822', roles: ['index'] },
        { slug: 'county', name: 'Fylkeskommunen', organisationNumber: org, roles: ['institution'] },
        { slug: 'admission', name: 'Samordna opptak', organisationNumber: '919477830', roles: ['admission'] }
      ]
    },
    join(tmp, 'gather'),
    { logLevel: 'silent', ports: (i) => ({ p2p: ports[2 * i] as number, http: ports[2 * i + 1] as number }) }
  )
  const catalogue = countyCatalogue()
  const fed = await startLocalFederation(plan, () => ({ parts: { offerings: () => catalogue } }))
  try {
    const county = fed.node('county')
    const admission = fed.node('admission')
    const ids = syntheticNationalIds(total)
    const rnd = prng(7)
    const learners = ids.map((id, i) => ({ nationalId: id, givenNames: `Søker ${i}`, familyName: 'Bench', birthDate: `${2000 + (i % 7)}-01-15` }))
    const results = ids.map((id, i) => {
      const a = syntheticApplicant(i, rnd)
      return {
        externalId: `vigo-${i}`,
        learner: { nationalId: id },
        kind: 'upper-secondary-diploma',
        offeringId: `VGS-${org}`,
        achievedOn: '2024-06-20',
        issuedOn: '2024-06-20',
        parts: a.diplomas[0]!.subjects.map((s) => ({ localCode: s.code, title: { nb: s.code }, grades: s.grades.map((g) => ({ scale: '1-6', component: g.component, value: g.value })) }))
      }
    })
    for (let i = 0; i < total; i += 500) await county.results!.registry.ingest({ learners: learners.slice(i, i + 500), results: results.slice(i, i + 500) })
    await county.results!.outbox.untilEmpty()
    const round = { year: 2025, applicants: ids.map((id, i) => ({ ref: `A${i}`, subject: { scheme: 'national-id' as const, value: id } })) }
    const module = admission.parts.admission!
    // Warm-up (connections, JIT), not counted.
    await module.scoreRound({ ...round, applicants: round.applicants.slice(0, 20) })
    const load = loadavg()[0] ?? 0
    let outcomes: Awaited<ReturnType<typeof module.scoreRound>> = []
    const gathered = await timeBlock(total, async () => {
      outcomes = await module.scoreRound(round)
    })
    const ok = outcomes.filter((o) => o.ok).length
    // Baseline: the bare signed GetResults round trips to the source, 16 at a time.
    let next = 0
    const raw = await timeBlock(total, async () => {
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < total) {
          const i = next++
          await admission.client.call(county.peerId, GetResults, { subject: { scheme: 'national-id', value: ids[i] as string } }, ADMISSION_PURPOSE)
        }
      }))
    })
    log(`gathered and scored ${fmt(total)} in ${fmt(gathered.seconds, 1)} s (${fmt(ok)} scored); bare GetResults ${fmt(raw.seconds, 1)} s; load ${fmt(load, 1)}`)
    return [{
      name: `admission round gathered, verified and scored (index lookup, GetResults from one source, verification, scoring; ${fmt(total)} applicants, 16 at a time)`,
      value: gathered.perSecond,
      unit: 'applicants/s',
      baseline: { name: 'bare signed GetResults round trips, 16 at a time', value: raw.perSecond },
      note: `${fmt(gathered.seconds * 1000 / total, 1)} ms per applicant; ${fmt(ok)} of ${fmt(total)} scored; load average ${fmt(load, 1)} at the start`
    }]
  } finally {
    await fed.stop()
  }
}

const bench: Benchmark = {
  name: 'admission',
  title: 'Admission scoring: a round of 150,000 applicants, and the gather path (issue 15)',
  goal: 'a batch API for an admission round, benchmarked at 150,000 applicants (scoring); the gather path at a stated smaller scale',
  async run ({ quick, tmp, log }) {
    const rows = scoringRows(quick ? 15_000 : 150_000, log)
    rows.push(...await gatherRows(tmp, quick ? 100 : 1000, log))
    return { rows, notes: [`Load average ${loadavg().map((l) => fmt(l, 1)).join(', ')} (1, 5, 15 min) at the end of the run.`] }
  }
}

export default bench
