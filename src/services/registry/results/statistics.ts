/**
 * Protocol /lifelong/statistics/1.0.0: the cells of the education statistics that an institution
 * node computes from its own data — completions (diplomas, qualifications, certificates) and
 * credits passed by the year achieved, enrolments by every year they were open on 1 October —
 * each by ISCED-F broad field, NKR level and age band, with the number of distinct people it
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

const COMPLETIONS = new Set(['diploma', 'qualification', 'upper-secondary-diploma', 'upper-secondary-certificate', 'trade-certificate'])

/** The cells of this institution, computed from its learners, results and enrolments. */
export async function computeCells (registry: ResultRegistry, enrolments: EnrolmentRegister, catalogue: OfferingCatalogue, now: () => number, years?: { from: number, to: number }): Promise<Array<Omit<Cell, 'institution'>>> {
  const cells = new Map<string, Omit<Cell, 'institution'> & { seen: Set<string> }>()
  const add = (measure: Cell['measure'], year: number, field: string, level: string, band: string, localId: string, value: number): void => {
    if (years !== undefined && ((years.from > 0 && year < years.from) || (years.to > 0 && year > years.to))) return
    const k = [measure, year, field, level, band].join('/')
    const c = cells.get(k) ?? { measure, year, field, level, ageBand: band, people: 0, value: 0, seen: new Set<string>() }
    c.value += value
    c.seen.add(localId)
    cells.set(k, c)
  }
  const thisYear = new Date(now()).getUTCFullYear()
  const offeringFacts = new Map<string, { field: string, level: string }>()
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
      if (COMPLETIONS.has(view.kind)) add('completions', year, field, level, band(year), localId, 1)
      if ((view.kind === 'course-result' || view.kind === 'micro-credential') && (view.credits ?? 0) > 0 && view.grades.length > 0 && view.grades.every((g) => isPass(g.scale, g.value))) {
        add('credits', year, field, level, band(year), localId, Math.round((view.credits ?? 0) * 10))
      }
    }
    for (const e of await enrolments.enrolmentsOf(localId)) {
      let facts = offeringFacts.get(e.offeringId)
      if (facts === undefined) {
        const o = await catalogue.find(e.offeringId, e.startDate).catch(() => undefined)
        facts = { field: (o?.iscedF ?? '').slice(0, 2), level: o?.nkrLevel ?? '' }
        offeringFacts.set(e.offeringId, facts)
      }
      // Counted in every year it was open on 1 October (the census day of Norwegian education statistics).
      const first = Number(e.startDate.slice(0, 4)) + (e.startDate.slice(5) > '10-01' ? 1 : 0)
      const last = e.endDate === '' ? thisYear : Number(e.endDate.slice(0, 4)) - (e.endDate.slice(5) < '10-01' ? 1 : 0)
      for (let y = first; y <= last; y++) add('enrolments', y, facts.field, facts.level, band(y), localId, 1)
    }
  }
  return [...cells.values()].map(({ seen, ...c }) => ({ ...c, people: seen.size }))
}

/** Serves GetCells from this institution's data. */
export function serveCells (server: RpcServer, registry: ResultRegistry, enrolments: EnrolmentRegister, catalogue: OfferingCatalogue, now: () => number): void {
  server.handle(GetCells, async (req) => {
    const cells = await computeCells(registry, enrolments, catalogue, now, { from: req.fromYear ?? 0, to: req.toYear ?? 0 })
    return { cells: cells.map((c) => ({ measure: c.measure, year: c.year, field: c.field, level: c.level, ageBand: c.ageBand, people: c.people, value: c.value })) }
  })
}
