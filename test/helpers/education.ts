/**
 * Helpers for education registry tests: institutions and offerings that pass validation, a
 * registry on a real LevelDB with a recording log, and counting what a store holds.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { openStorage, type Sublevel } from '../../src/store/leveldb/storage.ts'
import { EducationStore } from '../../src/services/registry/education/store.ts'
import { EducationRegistry } from '../../src/services/registry/education/registry.ts'
import { recordingLog } from './learners.ts'
import { LogStore } from '../../src/store/log/store.ts'
import type { Institution, Offering } from '../../src/services/registry/education/model.ts'

export function institution (overrides: Partial<Institution> = {}): Institution {
  return {
    id: '',
    organisationNumber: '971035854',
    name: { nb: 'Universitetet i Oslo', en: 'University of Oslo' },
    shortName: 'UiO',
    category: 'university',
    selfAccreditation: { upToLevel: '8', doctoralFields: [] },
    dbhCode: '1110',
    fsNumber: '185',
    admissionCodes: ['185'],
    validFrom: '1811-09-02',
    validTo: '',
    ...overrides
  }
}

/** Høgskolen i Gjøvik's organisation number (merged into NTNU in 2016). */
export const HIG_ORG = '974830523'

/** Høgskolen i Gjøvik, an accredited college with self-accreditation up to level 6 (the mergers' predecessor in the tests). */
export function higInstitution (overrides: Partial<Institution> = {}): Institution {
  return institution({
    organisationNumber: HIG_ORG,
    name: { nb: 'Høgskolen i Gjøvik' },
    shortName: 'HiG',
    category: 'accredited-college',
    selfAccreditation: { upToLevel: '6', doctoralFields: [] },
    dbhCode: '0213',
    fsNumber: '206',
    validFrom: '1994-08-01',
    ...overrides
  })
}

export function course (overrides: Partial<Offering> = {}): Offering {
  return {
    id: '',
    kind: 'course',
    owner: '',
    localCode: 'INF1000',
    localVersion: '1',
    name: { nb: 'Grunnkurs i objektorientert programmering', en: 'Introduction to object-oriented programming' },
    credits: 10,
    nkrLevel: '6',
    nusCode: '654121',
    iscedF: '0613',
    languages: ['nb'],
    gradingScale: 'A-F',
    learningOutcomes: { nb: 'Studenten kan programmere.' },
    terms: ['2025H'],
    status: 'active',
    relations: [],
    links: {},
    ...overrides
  }
}

export function programme (overrides: Partial<Offering> = {}): Offering {
  return course({ kind: 'study-programme', localCode: 'BAINF', name: { nb: 'Bachelorprogram i informatikk', en: 'Informatics, bachelor' }, credits: 180, nusCode: '654199', links: { admissionCode: '185853' }, ...overrides })
}

/** Number of keys in a sublevel (to show that nothing was stored). */
export async function keyCount (db: Sublevel): Promise<number> {
  let n = 0
  for await (const _ of db.keys()) n++
  return n
}

export interface TestRegistry {
  registry: EducationRegistry
  store: EducationStore
  log: Awaited<ReturnType<typeof recordingLog>>
  db: Sublevel
  now: { ms: number }
  reopen: () => Promise<EducationRegistry>
}

/** A registry on a temporary LevelDB with a recording log; the clock is `now.ms`. */
export async function testRegistry (start = Date.parse('2025-06-01T10:00:00Z')): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'lifelong-edu-'))
  let storage = await openStorage(dir)
  onTestFinished(async () => {
    await storage.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const now = { ms: start }
  const log = await recordingLog(storage)
  const store = new EducationStore({ store: storage.sublevel('education'), log })
  await store.load()
  const registry = new EducationRegistry({ store, now: () => now.ms })
  return {
    registry,
    store,
    log,
    db: storage.sublevel('education'),
    now,
    async reopen () {
      await storage.close()
      storage = await openStorage(dir)
      const s = new EducationStore({ store: storage.sublevel('education'), log: await LogStore.open({ storage }) })
      await s.load()
      return new EducationRegistry({ store: s, now: () => now.ms })
    }
  }
}
