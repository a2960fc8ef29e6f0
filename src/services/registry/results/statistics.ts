/**
 * Protocol /lifelong/statistics/1.0.0: the cells of the education statistics that an institution
 * node computes from its own data — completions (diplomas, qualifications, certificates) and
 * credits passed by the year achieved, enrolments by every year they were open on 1 October —
 * each by ISCED-F broad field, NUS broad field (from the offering's NUS code in the education
 * registry), NKR level and age band, with the number of distinct people it
 * counts. Only counts leave the node, and only to the registry node, which combines every
 * institution's cells and applies the disclosure rules before publishing anything
 * (src/core/statistics/disclosure.ts).
 */
import { lifelong } from '../../../core/gen/proto.js'
import { ageBand, type Cell } from '../../../core/statistics/disclosure.ts'
import { protoCodec, type Method } from '../../../net/rpc/method.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { EnrolmentRegister } from './enrolments.ts'
import type { OfferingCatalogue } from './ports.ts'
import { resultView } from './record.ts'
import type { ResultRegistry } from './registry.ts'
import { isPass } from './model.ts'

export const STATISTICS_PROTOCOL = '/lifelong/statistics/1.0.0'

export const GetCells: Method<lifelong.statistics.IGetCellsRequest, lifelong.statistics.IGetCellsResponse> = {
  protocol: STATISTICS_PROTOCOL,
  type: 'lifelong.statistics.GetCells',
  request: protoCodec(lifelong.statistics.GetCellsRequest),
  response: protoCodec(lifelong.statistics.GetCellsResponse),
  roles: ['registry'],
  // Counts of small groups are about people: the registry says why it asks.
  personalData: true
}

/**
 * The NUS broad field (fagfelt) of an NUS2000 code: its second digit (SSB, Norsk standard for
 * utdanningsgruppering: 1st digit level, 2nd broad field, 2nd–3rd narrow field), or '' without one.
 */
export function nusField (nusCode: string | undefined): string {
  return nusCode !== undefined && /^\d{6}$/.test(nusCode) ? nusCode.slice(1, 2) : ''
}

const COMPLETIONS = new Set(['diploma', 'qualification', 'upper-secondary-diploma', 'upper-secondary-certificate', 'trade-certificate'])

/** The cells of this institution, computed from its learners, results and enrolments. */
export async function computeCells (registry: ResultRegistry, enrolments: EnrolmentRegister, catalogue: OfferingCatalogue, now: () => number, years?: { from: number, to: number }): Promise<Array<Omit<Cell, 'institution'>>> {
  const cells = new Map<string, Omit<Cell, 'institution'> & { seen: Set<string> }>()
  const add = (measure: Cell['measure'], year: number, field: string, nus: string, level: string, band: string, localId: string, value: number): void => {
    if (years !== undefined && ((years.from > 0 && year < years.from) || (years.to > 0 && year > years.to))) return
    const k = [measure, year, field, nus, level, band].join('/')
    const c = cells.get(k) ?? { measure, year, field, nus, level, ageBand: band, people: 0, value: 0, seen: new Set<string>() }
    c.value += value
    c.seen.add(localId)
    cells.set(k, c)
  }
  const thisYear = new Date(now()).getUTCFullYear()
  // The facts of each offering, looked up once per offering (the registry's cached lookup): its
  // ISCED-F and NKR level, and its NUS code, which results do not carry.
  const offeringFacts = new Map<string, Promise<{ field: string, nus: string, level: string }>>()
  const factsOf = async (offeringId: string, date: string): Promise<{ field: string, nus: string, level: string }> => {
    let facts = offeringFacts.get(offeringId)
    if (facts === undefined) {
      facts = catalogue.find(offeringId, date).catch(() => undefined).then((o) => ({ field: (o?.iscedF ?? '').slice(0, 2), nus: nusField(o?.nusCode), level: o?.nkrLevel ?? '' }))
      offeringFacts.set(offeringId, facts)
    }
    return await facts
  }
  for await (const localId of registry.learnerIds()) {
    const learner = await registry.learnerById(localId)
    const born = Number((learner?.birthDate ?? '').slice(0, 4))
    const band = (year: number): string => Number.isInteger(born) && born > 0 ? ageBand(born, year) : ''
    for (const v of await registry.resultsOf(localId)) {
      const view = resultView(lifelong.results.ResultRecord.decode(lifelong.envelope.SignedEnvelope.decode(v.envelope).payload))
      if (view.status === 'annulled') continue
      const year = Number(view.achievedOn.slice(0, 4))
      const field = (view.iscedF ?? '').slice(0, 2)
      const level = view.nkrLevel ?? ''
      const completion = COMPLETIONS.has(view.kind)
      const credits = (view.kind === 'course-result' || view.kind === 'micro-credential') && (view.credits ?? 0) > 0 && view.grades.length > 0 && view.grades.every((g) => isPass(g.scale, g.value))
      if (!completion && !credits) continue
      const nus = view.offeringId === undefined || view.offeringId === '' ? '' : (await factsOf(view.offeringId, view.achievedOn)).nus
      if (completion) add('completions', year, field, nus, level, band(year), localId, 1)
      if (credits) add('credits', year, field, nus, level, band(year), localId, Math.round((view.credits ?? 0) * 10))
    }
    for (const e of await enrolments.enrolmentsOf(localId)) {
      const facts = await factsOf(e.offeringId, e.startDate)
      // Counted in every year it was open on 1 October (the census day of Norwegian education statistics).
      const first = Number(e.startDate.slice(0, 4)) + (e.startDate.slice(5) > '10-01' ? 1 : 0)
      const last = e.endDate === '' ? thisYear : Number(e.endDate.slice(0, 4)) - (e.endDate.slice(5) < '10-01' ? 1 : 0)
      for (let y = first; y <= last; y++) add('enrolments', y, facts.field, facts.nus, facts.level, band(y), localId, 1)
    }
  }
  return [...cells.values()].map(({ seen, ...c }) => ({ ...c, people: seen.size }))
}

/** Serves GetCells from this institution's data. */
export function serveCells (server: RpcServer, registry: ResultRegistry, enrolments: EnrolmentRegister, catalogue: OfferingCatalogue, now: () => number): void {
  server.handle(GetCells, async (req) => {
    const cells = await computeCells(registry, enrolments, catalogue, now, { from: req.fromYear ?? 0, to: req.toYear ?? 0 })
    return { cells: cells.map((c) => ({ measure: c.measure, year: c.year, field: c.field, nus: c.nus, level: c.level, ageBand: c.ageBand, people: c.people, value: c.value })) }
  })
}
