/**
 * The National Education Registry's web pages on the registry node: search with facets
 * (`/registry`), an offering (`/registry/offerings/<id>`: its facts, "was it accredited on D",
 * its history as a timeline), an institution (`/registry/institutions/<id>`: its chain) and
 * statistics with charts (`/registry/statistics`). Public, read-only, GET only, server-rendered
 * without script; errors are pages. Each is one call to the registry, as its JSON route.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { EducationRegistry } from '../../../../services/registry/education/registry.ts'
import { EducationCodes as C, educationError } from '../../../../services/registry/education/errors.ts'
import { checkDate } from '../../../../services/registry/education/codes.ts'
import { langOf, sendRegistryPage, REGISTRY_SITE_NAME } from './frame.ts'
import { institutionBody, offeringBody, searchBody, statisticsBody, type SearchForm } from './views.ts'
import { nameIn, TEXTS } from './texts.ts'

const PAGE = { policy: { caller: 'public' }, errors: 'page' } as const
const text = { type: 'string', maxLength: 200 }
const date = { type: 'string', maxLength: 10 }
const lang = { type: 'string', enum: ['nb', 'nn', 'en'] }
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Z][0-9]{9}$' } } }

function dateOrUndefined (v: string | undefined, field: string): string | undefined {
  if (v === undefined || v === '') return undefined
  if (checkDate(v) !== undefined) throw educationError('invalid', C.queryInvalid, `${field} is a date YYYY-MM-DD`)
  return v
}

const here = (url: string): string => url

export function registryPages (registry: EducationRegistry): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Record<string, string | undefined> }>('/registry', {
      config: PAGE,
      schema: {
        summary: 'The registry\'s search page, with facets',
        tags: ['education', 'pages'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { q: text, kind: text, level: text, field: text, institution: text, language: text, status: text, asOf: date, accreditedOn: date, offset: { type: 'string', pattern: '^[0-9]{1,6}$' }, lang }
        }
      }
    }, async (request, reply) => {
      const l = langOf(request)
      const q = request.query
      const blank = (v: string | undefined): string | undefined => v === undefined || v.trim() === '' ? undefined : v.trim()
      const form: SearchForm = {
        ...Object.fromEntries((['q', 'kind', 'level', 'field', 'institution', 'language', 'status'] as const).flatMap((k) => blank(q[k]) === undefined ? [] : [[k, blank(q[k])]])),
        ...(dateOrUndefined(q.asOf, 'asOf') === undefined ? {} : { asOf: q.asOf }),
        ...(dateOrUndefined(q.accreditedOn, 'accreditedOn') === undefined ? {} : { accreditedOn: q.accreditedOn }),
        offset: Number.parseInt(q.offset ?? '0', 10)
      }
      const split = (v: string | undefined): string[] | undefined => v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '')
      const r = registry.search({
        q: form.q,
        kind: split(form.kind),
        level: split(form.level),
        field: split(form.field),
        institution: split(form.institution),
        language: split(form.language),
        status: split(form.status),
        asOf: form.asOf,
        accreditedOn: form.accreditedOn,
        offset: form.offset,
        limit: 20
      })
      const institutions = registry.listInstitutions().sort((a, b) => nameIn(l, a.name).text.localeCompare(nameIn(l, b.name).text, l))
      return await sendRegistryPage(reply, { lang: l, title: REGISTRY_SITE_NAME[l], here: here(request.url), body: searchBody(l, form, r, institutions) })
    })

    app.get<{ Params: { id: string }, Querystring: { on?: string, asOf?: string, lang?: string } }>('/registry/offerings/:id', {
      config: PAGE,
      schema: {
        summary: 'An offering\'s page: facts, "was it accredited on D", history as a timeline',
        tags: ['education', 'pages'],
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { on: date, asOf: date, lang } }
      }
    }, async (request, reply) => {
      const l = langOf(request)
      const id = request.params.id
      const asOf = dateOrUndefined(request.query.asOf, 'asOf')
      const on = dateOrUndefined(request.query.on, 'on')
      const view = registry.getOffering(id, asOf === undefined ? {} : { validOn: asOf })
      const history = registry.offeringHistory(id)
      const related = [...view.version.offering.relations.map((r) => r.target), ...history.relatedFrom.map((r) => r.id)]
      const names: Record<string, { nb?: string, nn?: string, en?: string }> = {}
      for (const r of related) {
        try {
          names[r] = registry.getOffering(r).version.offering.name
        } catch {}
      }
      const check = on === undefined ? undefined : { on, answer: registry.wasAccredited(id, on) }
      return await sendRegistryPage(reply, { lang: l, title: nameIn(l, view.version.offering.name).text, here: here(request.url), body: offeringBody(l, view, history, check, names) })
    })

    app.get<{ Params: { id: string }, Querystring: { lang?: string } }>('/registry/institutions/:id', {
      config: PAGE,
      schema: { summary: 'An institution\'s page: who it is today, its chain of mergers, its events', tags: ['education', 'pages'], params: idParam, querystring: { type: 'object', additionalProperties: false, properties: { lang } } }
    }, async (request, reply) => {
      const l = langOf(request)
      const h = registry.institutionHistory(request.params.id)
      const institutions = registry.labels([h.institution.id, ...h.chain, ...h.predecessors, ...h.events.flatMap((e) => [...e.predecessors, ...e.successors]), ...(h.successorToday === undefined ? [] : [h.successorToday.id])])
      return await sendRegistryPage(reply, { lang: l, title: nameIn(l, h.institution.name).text, here: here(request.url), body: institutionBody(l, { ...h, institutions }) })
    })

    app.get<{ Querystring: { asOf?: string, lang?: string } }>('/registry/statistics', {
      config: PAGE,
      schema: { summary: 'Statistics of the catalogue, with charts', tags: ['education', 'pages'], querystring: { type: 'object', additionalProperties: false, properties: { asOf: date, lang } } }
    }, async (request, reply) => {
      const l = langOf(request)
      const asOf = dateOrUndefined(request.query.asOf, 'asOf')
      const s = registry.statistics(asOf === undefined ? {} : { asOf })
      return await sendRegistryPage(reply, { lang: l, title: TEXTS.statistics[l], here: here(request.url), body: statisticsBody(l, s, registry.labels(Object.keys(s.byInstitution))) })
    })
  }
}
