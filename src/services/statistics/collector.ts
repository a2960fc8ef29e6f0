/**
 * The registry node's side of the education statistics: it asks every active institution for
 * the cells it computed from its own data (GetCells), combines them, and keeps them for a while
 * (public queries never fan out to the institutions each time). Publishing goes through the
 * disclosure rules (src/core/statistics/disclosure.ts); nothing here is published raw.
 */
import { toLifelongError, type ErrorCode } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { Cell } from '../../core/statistics/disclosure.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import { GetCells } from '../registry/results/statistics.ts'

/** Why the registry asks: official statistics, a public task. */
export const STATISTICS_PURPOSE = { purpose: 'statistics.aggregate', legalBasis: 'gdpr-6-1-e' } as const

export interface Collected {
  cells: Cell[]
  /** Each institution asked: answered, or why not. */
  sources: Array<{ organisationNumber: string, name: string, ok: boolean, code?: ErrorCode }>
  collectedAt: number
}

export interface StatisticsCollectorComponents {
  client: RpcClient
  federation: Federation
  logger: Logger
  now?: () => number
}

export class StatisticsCollector {
  readonly name = 'statistics'
  private readonly c: StatisticsCollectorComponents
  private readonly ttlMs: number
  private last: Collected | undefined
  private running: Promise<Collected> | undefined

  constructor (components: StatisticsCollectorComponents, init: { ttlMs: number }) {
    this.c = components
    this.ttlMs = init.ttlMs
  }

  /** The combined cells, collected at most once per `ttlMs` (callers meanwhile share one collection). */
  async collected (): Promise<Collected> {
    const now = (this.c.now ?? Date.now)()
    if (this.last !== undefined && now - this.last.collectedAt < this.ttlMs) return this.last
    this.running ??= this.collect().finally(() => {
      this.running = undefined
    })
    return await this.running
  }

  /** Drops what was collected, so that the next query collects anew (after new data was loaded). */
  invalidate (): void {
    this.last = undefined
  }

  private async collect (): Promise<Collected> {
    const institutions = this.c.federation.membersWithRole('institution')
    const answers = await Promise.all(institutions.map(async (m) => {
      try {
        const res = await this.c.client.call(m.peerId, GetCells, {}, STATISTICS_PURPOSE)
        return { m, cells: res.cells ?? [], ok: true as const }
      } catch (err) {
        const code = toLifelongError(err).code
        this.c.logger.debug({ source: m.organisationNumber, code }, 'institution gave no statistics cells')
        return { m, cells: [], ok: false as const, code }
      }
    }))
    const cells: Cell[] = answers.flatMap((a) => a.cells.map((c) => ({
      measure: c.measure as Cell['measure'],
      year: c.year ?? 0,
      field: c.field ?? '',
      nus: c.nus ?? '',
      level: c.level ?? '',
      ageBand: c.ageBand ?? '',
      institution: a.m.organisationNumber,
      people: c.people ?? 0,
      value: Number(c.value ?? 0)
    })))
    this.last = { cells, sources: answers.map((a) => ({ organisationNumber: a.m.organisationNumber, name: a.m.name, ok: a.ok, ...(a.ok ? {} : { code: a.code }) })), collectedAt: (this.c.now ?? Date.now)() }
    return this.last
  }
}
