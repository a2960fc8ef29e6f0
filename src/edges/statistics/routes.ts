/**
 * The public education statistics at the registry node: JSON, CSV and a page with a chart, each
 * a query (measure, one or two dimensions, filters) over the combined cells, published only
 * through the disclosure rules. Public: nothing here is about anyone.
 */
import type { FastifyPluginAsync } from 'fastify'
import { DIMENSIONS, MEASURES, publish, toCsv, type Dimension, type Measure, type Query, type Table } from '../../core/statistics/disclosure.ts'
import type { Collected, StatisticsCollector } from '../../services/statistics/collector.ts'
import { statisticsPage } from './page.ts'
import { langOf } from '../ui/lang.ts'
import { sendRegistryPage } from '../registry/education/pages/frame.ts'

interface Q {
  lang?: string
  measure?: string
  by?: string
  year?: string
  field?: string
  nus?: string
  level?: string
  institution?: string
  ageBand?: string
}

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lang: { type: 'string', enum: ['nb', 'nn', 'en'] },
    measure: { type: 'string', enum: [...MEASURES], default: 'completions' },
    by: { type: 'string', pattern: '^[a-zA-Z]+(,[a-zA-Z]+)?$', default: 'field', description: `one or two of ${DIMENSIONS.join(', ')}, comma-separated` },
    year: { type: 'string', pattern: '^\\d{4}$' },
    field: { type: 'string', maxLength: 4 },
    nus: { type: 'string', maxLength: 4 },
    level: { type: 'string', maxLength: 4 },
    institution: { type: 'string', pattern: '^\\d{9}$' },
    ageBand: { type: 'string', maxLength: 8 }
  }
} as const

function queryOf (q: Q): Query {
  const filter: Partial<Record<Dimension, string>> = {}
  for (const d of DIMENSIONS) {
    const v = q[d as keyof Q]
    if (typeof v === 'string' && v !== '') filter[d] = v
  }
  return { measure: (q.measure ?? 'completions') as Measure, by: (q.by ?? 'field').split(',') as Dimension[], filter }
}

const search = (q: Q): string => new URLSearchParams(Object.entries(q).filter(([k, v]) => k !== 'lang' && typeof v === 'string') as Array<[string, string]>).toString()

/**
 * Published tables of the current collection, by query: the disclosure audit costs up to a second
 * for a large table by two dimensions, so a public endpoint works each query out once per
 * collection (refusals too), at most {@link MAX_CACHED} of them.
 */
const MAX_CACHED = 500

export function statisticsRoutes (collector: StatisticsCollector): FastifyPluginAsync {
  const cache = new Map<string, { at: number, outcome: { table: Table } | { error: unknown } }>()
  const tableOf = (collected: Collected, query: Query): Table => {
    const key = JSON.stringify([query.measure, query.by, Object.entries(query.filter ?? {}).sort()])
    let hit = cache.get(key)
    if (hit === undefined || hit.at !== collected.collectedAt) {
      let outcome: { table: Table } | { error: unknown }
      try {
        outcome = { table: publish(collected.cells, query) }
      } catch (error) {
        outcome = { error }
      }
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
      cache.set(key, hit = { at: collected.collectedAt, outcome })
    }
    if ('error' in hit.outcome) throw hit.outcome.error
    return hit.outcome.table
  }
  return async (app) => {
    app.get<{ Querystring: Q }>('/statistics/education', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'Completions, credits or enrolments by field (ISCED-F or NUS), level (NKR), institution, year or age band; small cells suppressed', tags: ['statistics'], querystring }
    }, async (request) => {
      const collected = await collector.collected()
      return { ...tableOf(collected, queryOf(request.query)), sources: collected.sources, collectedAt: new Date(collected.collectedAt).toISOString() }
    })
    app.get<{ Querystring: Q }>('/statistics/education.csv', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'The same table as CSV', tags: ['statistics'], querystring, produces: ['text/csv'] }
    }, async (request, reply) => await reply.type('text/csv; charset=utf-8').send(toCsv(tableOf(await collector.collected(), queryOf(request.query)))))
    app.get<{ Querystring: Q }>('/statistics/education/page', {
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: { summary: 'The same table as a page with a chart (server-rendered SVG)', tags: ['statistics'], querystring, produces: ['text/html'] }
    }, async (request, reply) => {
      const collected = await collector.collected()
      const table = tableOf(collected, queryOf(request.query))
      const qs = search(request.query)
      const lang = langOf(request)
      const page = statisticsPage(table, { json: `/statistics/education?${qs}`, csv: `/statistics/education.csv?${qs}` }, collected.sources, lang)
      return await sendRegistryPage(reply, { lang, ...page, here: `/statistics/education/page${qs === '' ? '' : `?${qs}`}` })
    })
  }
}
