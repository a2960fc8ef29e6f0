/**
 * Offerings for results tests, and a catalogue that answers from them. It stands in for the
 * National Education Registry's lookup (same interface the node is wired with) in tests of the
 * results registry alone; the federation tests use the registry node itself once it is on main.
 */
import { expect } from 'vitest'
import type { InstitutionInfo, OfferingCatalogue, OfferingInfo } from '../../src/services/registry/results/ports.ts'
import { ORG } from './federation.ts'
import type { BundleSet } from '../../src/services/registry/results/bundle.ts'

export const UIO: InstitutionInfo = { id: 'I0185', organisationNumber: ORG.a, name: { nb: 'Universitetet i Oslo', en: 'University of Oslo' }, dbhCode: '1110', fsNumber: '185' }
export const NTNU: InstitutionInfo = { id: 'I0194', organisationNumber: ORG.b, name: { nb: 'Norges teknisk-naturvitenskapelige universitet', en: 'NTNU' }, dbhCode: '1150', fsNumber: '194' }
export const UIB: InstitutionInfo = { id: 'I0184', organisationNumber: ORG.c, name: { nb: 'Universitetet i Bergen', en: 'University of Bergen' }, dbhCode: '1120', fsNumber: '184' }
export const HIST: InstitutionInfo = { id: 'I0213', organisationNumber: '971093420', name: { nb: 'Høgskolen i Sør-Trøndelag' }, dbhCode: '0238', fsNumber: '213' }

function offering (id: string, owner: InstitutionInfo, extra: Partial<OfferingInfo>): OfferingInfo {
  return {
    id,
    kind: 'course',
    localCode: id,
    title: { nb: `Emne ${id}`, en: `Course ${id}` },
    credits: 10,
    nkrLevel: '6',
    eqfLevel: 6,
    iscedF: '0613',
    languages: ['nb'],
    gradingScale: 'A-F',
    learningOutcomes: {},
    owner,
    issuer: owner,
    ...extra
  }
}

export const OFFERINGS: Record<string, OfferingInfo> = {
  IN1000: offering('IN1000', UIO, { title: { nb: 'Introduksjon til objektorientert programmering', en: 'Introduction to Object-oriented Programming' } }),
  IN1150: offering('IN1150', UIO, { title: { nb: 'Logiske metoder', en: 'Logical Methods' } }),
  BAINF: offering('BAINF', UIO, { kind: 'study-programme', credits: 180, title: { nb: 'Bachelor i informatikk', en: 'Bachelor of Informatics' } }),
  MICRO: offering('MICRO', UIO, { kind: 'micro-credential', credits: 5, gradingScale: 'pass-fail', nkrLevel: '7', eqfLevel: 7 }),
  TDT4100: offering('TDT4100', NTNU, { credits: 7.5, title: { nb: 'Objektorientert programmering', en: 'Object-Oriented Programming' } }),
  // A HiST course: NTNU owns it today; on dates before the 2016 merger the issuer is HiST.
  TDAT1001: offering('TDAT1001', NTNU, { credits: 7.5, title: { nb: 'Ingeniørfaglig innføringsemne' } }),
  INF100: offering('INF100', UIB, { title: { nb: 'Grunnkurs i programmering' } }),
  VGMAT: offering('VGMAT', NTNU, { kind: 'upper-secondary-subject', gradingScale: '1-6', credits: 0, nkrLevel: '4', eqfLevel: 4 })
}

/** An offering of UiB (ORG.c). */
export const UIB_OFFERING = 'INF100'

/** A catalogue answering from {@link OFFERINGS}; `calls` counts lookups. */
export function testCatalogue (offerings: Record<string, OfferingInfo> = OFFERINGS): OfferingCatalogue & { calls: number, down: boolean } {
  const cat = {
    calls: 0,
    down: false,
    async find (id: string, date: string): Promise<OfferingInfo | undefined> {
      cat.calls++
      if (cat.down) throw new Error('registry down')
      const o = offerings[id]
      if (o === undefined) return undefined
      if (id === 'TDAT1001' && date < '2016-01-01') return { ...o, issuer: HIST }
      return o
    }
  }
  return cat
}

/** Synthetic national IDs (Skatteetaten test numbers, month + 80) of test learners. */
export const LEARNERS = {
  kari: { nationalId: '14839940026', givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14' },
  ola: { nationalId: '02889840369', givenNames: 'Ola', familyName: 'Nordmann', birthDate: '1998-08-02' }
} as const

export function course (externalId: string, who: { nationalId: string }, offeringId: string, grade: string, achievedOn = '2024-12-10'): Record<string, unknown> {
  return { externalId, learner: { nationalId: who.nationalId }, kind: 'course-result', offeringId, achievedOn, term: '2024H', grades: [{ scale: 'A-F', value: grade }] }
}

/**
 * Shares every result the learner sees on the portal at `base` (its API, signed in with
 * `authorization`) and opens the share as its recipient would: the proofs the recipient gets.
 */
export async function sharedProofs (base: string, authorization: string): Promise<BundleSet> {
  const listed = (await (await fetch(`${base}/portal/api/results`, { headers: { authorization } })).json()) as { results: Array<{ key: string }> }
  const created = await (await fetch(`${base}/portal/api/shares`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ results: listed.results.map((r) => r.key), recipient: 'Acme AS', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
  })).json() as { url: string, code: string }
  const opened = await fetch(`${created.url.replace(/\/?$/, '')}/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: created.code }) })
  expect(opened.status).toBe(200)
  return ((await opened.json()) as { proofs: BundleSet }).proofs
}
