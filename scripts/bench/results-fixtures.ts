/** Offerings, learners and results for the results benchmark (synthetic). */
import { isValidOrganisationNumber } from '../../src/core/identifiers/index.ts'
import type { IngestBatch, LearnerInput } from '../../src/services/registry/results/model.ts'
import type { OfferingCatalogue } from '../../src/services/registry/results/ports.ts'
import { isValidNationalId } from '../../src/core/identifiers/index.ts'

/** `n` valid organisation numbers (mod 11), from 900000000 up. */
export function organisationNumbers (n: number): string[] {
  const out: string[] = []
  for (let x = 900_000_000; out.length < n; x++) if (isValidOrganisationNumber(String(x))) out.push(String(x))
  return out
}

/** `n` synthetic national IDs (Skatteetaten test numbers, month + 80) with distinct dates. */
export function syntheticNationalIds (n: number): string[] {
  const out: string[] = []
  for (let day = 1; out.length < n && day <= 28; day++) {
    for (let month = 1; out.length < n && month <= 12; month++) {
      for (let year = 70; out.length < n && year <= 99; year++) {
        for (let ind = 400; ind < 500; ind++) {
          const base = `${String(day).padStart(2, '0')}${String(month + 80)}${String(year)}${ind}`
          const id = [...Array(100).keys()].map((k) => base + String(k).padStart(2, '0')).find((c) => isValidNationalId(c))
          if (id !== undefined) {
            out.push(id)
            break
          }
        }
      }
    }
  }
  return out
}

export const BENCH_LEARNER: LearnerInput = { nationalId: '14839940026', givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' }

/** Offerings `B-<organisation number>-<k>`, owned by that organisation, graded A–F. */
export function benchCatalogue (): OfferingCatalogue {
  return {
    async find (id) {
      const m = /^B-(\d{9})-(\d+)$/.exec(id)
      if (m === null) return undefined
      const owner = { id: `I-${m[1] as string}`, organisationNumber: m[1] as string, name: { nb: `Institusjon ${m[1] as string}` } }
      return {
        id,
        kind: 'course',
        localCode: `EMNE${m[2] as string}`,
        title: { nb: `Emne ${m[2] as string}`, en: `Course ${m[2] as string}` },
        credits: 10,
        nkrLevel: '6',
        eqfLevel: 6,
        iscedF: '0613',
        languages: ['nb'],
        gradingScale: 'A-F',
        learningOutcomes: {},
        owner,
        issuer: owner
      }
    }
  }
}

/** `count` course results of `learner` at organisation `org` (external IDs from `offset`). */
export function benchResults (org: string, count: number, offset: number, learner: LearnerInput = BENCH_LEARNER): NonNullable<IngestBatch['results']> {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `bench-${org}-${offset + i}`,
    learner: { nationalId: learner.nationalId },
    kind: 'course-result',
    offeringId: `B-${org}-${(offset + i) % 40}`,
    achievedOn: `202${(offset + i) % 5}-12-1${(offset + i) % 3}`,
    term: `202${(offset + i) % 5}H`,
    grades: [{ scale: 'A-F', value: 'ABCDE'[(offset + i) % 5] as string }]
  })) as NonNullable<IngestBatch['results']>
}
