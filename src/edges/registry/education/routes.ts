/**
 * HTTP API of the registry node (`/education/...`) and of an institution node's own catalogue
 * (`/catalogue/...`). Each route: a JSON Schema, one service call, a reply. Times: `asOf` is a
 * valid date (YYYY-MM-DD, default today in Norway), `knownAt` a record time (ISO 8601 instant):
 * "what the registry knew then".
 */
import type { FastifyPluginAsync } from 'fastify'
import { LifelongError, type ErrorCode } from '../../../core/errors.ts'
import { checkDate } from '../../../services/registry/education/codes.ts'
import { EducationCodes as C, educationError } from '../../../services/registry/education/errors.ts'
import { toElm, toOoapi } from '../../../services/registry/education/exports.ts'
import type { InstitutionCatalogue, ImportProgress, ImportReport } from '../../../services/registry/education/catalogue.ts'
import type { EducationRegistry } from '../../../services/registry/education/registry.ts'
import type { AccreditorDesk, DecisionInput } from '../../../services/registry/education/accreditor.ts'
import { hitOf, MAX_PAGE } from '../../../services/registry/education/search.ts'
import { elmDataset, ooapiDataset } from '../../../services/registry/education/bulk-export.ts'
import { Readable } from 'node:stream'

const dateSchema = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }
const instantSchema = { type: 'string', maxLength: 40, description: 'Record time: answer with what the registry knew at this instant (ISO 8601), or on this date (YYYY-MM-DD: at the end of that day, UTC)' }
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Z][0-9]{9}$' } } }
const csv = { type: 'string', description: 'One value or several separated by commas' }
const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } }

const localised = { type: 'object', properties: { nb: { type: 'string' }, nn: { type: 'string' }, en: { type: 'string' }, se: { type: 'string' } } }
const offeringSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    owner: { type: 'string' },
    localCode: { type: 'string' },
    localVersion: { type: 'string' },
    name: localised,
    credits: { type: 'number' },
    nkrLevel: { type: 'string' },
    nusCode: { type: 'string' },
    iscedF: { type: 'string' },
    languages: { type: 'array', items: { type: 'string' } },
    gradingScale: { type: 'string' },
    learningOutcomes: localised,
    terms: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    relations: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, target: { type: 'string' }, validFrom: { type: 'string' }, validTo: { type: 'string' } } } },
    links: { type: 'object', properties: { financingReference: { type: 'string' }, admissionCode: { type: 'string' }, admissionRequirement: { type: 'string' }, homepage: { type: 'string' } } },
    quality: {
      type: 'object',
      description: 'Non-formal offerings: who assured the quality, against which criteria, and the NKR placement',
      properties: { assuredBy: { type: 'string' }, criteria: { type: 'string' }, levelPlacement: { type: 'string' } }
    }
  }
}
const versionSchema = {
  type: 'object',
  properties: {
    offering: offeringSchema,
    seq: { type: 'integer' },
    validFrom: { type: 'string' },
    validTo: { type: 'string' },
    supersededBy: { type: 'integer' },
    recordedAt: { type: 'string', format: 'date-time' },
    publishedBy: { type: 'string' },
    contentHash: { type: 'string' }
  }
}
const institutionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    organisationNumber: { type: 'string' },
    name: localised,
    shortName: { type: 'string' },
    category: { type: 'string' },
    selfAccreditation: { type: 'object', properties: { upToLevel: { type: 'string' }, doctoralFields: { type: 'array', items: { type: 'string' } } } },
    dbhCode: { type: 'string' },
    fsNumber: { type: 'string' },
    admissionCodes: { type: 'array', items: { type: 'string' } },
    validFrom: { type: 'string' },
    validTo: { type: 'string' }
  }
}
const decisionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    subjectType: { type: 'string' },
    subject: { type: 'string' },
    type: { type: 'string' },
    decidedBy: { type: 'string' },
    status: { type: 'string' },
    decisionDate: { type: 'string' },
    validFrom: { type: 'string' },
    validTo: { type: 'string' },
    reference: { type: 'string' },
    recordedAt: { type: 'string', format: 'date-time' }
  }
}
const hitSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    name: localised,
    localCode: { type: 'string' },
    owner: { type: 'string' },
    ownerName: localised,
    ownerShortName: { type: 'string' },
    nkrLevel: { type: 'string' },
    eqfLevel: { type: ['integer', 'null'] },
    credits: { type: 'number' },
    iscedF: { type: 'string' },
    languages: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    seq: { type: 'integer' },
    validFrom: { type: 'string' }
  }
}
const countMap = { type: 'object', additionalProperties: { type: 'integer' } }
const labelSchema = { type: 'object', properties: { id: { type: 'string' }, name: localised, shortName: { type: 'string' } } }
/** The names of every institution ID in an answer, by ID. */
const labelMap = { type: 'object', description: 'The name and short name (today) of every institution ID in the answer', additionalProperties: labelSchema }

interface TimeQuery {
  asOf?: string
  knownAt?: string
}

function knownAtOf (q: TimeQuery): number | undefined {
  if (q.knownAt === undefined) return undefined
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(q.knownAt) && checkDate(q.knownAt) === undefined) return Date.parse(`${q.knownAt}T23:59:59.999Z`)
  const t = /T/.test(q.knownAt) ? Date.parse(q.knownAt) : NaN
  if (Number.isNaN(t)) throw educationError('invalid', C.queryInvalid, 'knownAt is an ISO 8601 instant or a date YYYY-MM-DD')
  return t
}

function dateOf (value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  if (checkDate(value) !== undefined) throw educationError('invalid', C.queryInvalid, `${name} is a date YYYY-MM-DD`)
  return value
}

const intOf = (v: string | undefined, fallback: number): number => v === undefined ? fallback : Number.parseInt(v, 10)
const split = (v: string | undefined): string[] | undefined => v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '')
const iso = (ms: number): string => new Date(ms).toISOString()
const versionJson = <V extends { recordedAt: number }>(v: V): Omit<V, 'recordedAt'> & { recordedAt: string } => ({ ...v, recordedAt: iso(v.recordedAt) })

/** The scopes a service token needs for the write routes (issued by the node's organisation's identity provider). */
export const EDUCATION_SCOPES = {
  /** The national operator's institution data on the registry node. */
  admin: 'education.admin',
  /** Importing into an institution's catalogue and syncing it. */
  import: 'catalogue.import',
  /** Recording accreditation decisions on the accreditor node. */
  decide: 'accreditation.decide'
} as const

const bearer = { security: [{ bearerAuth: [] }] }
const authErrors = { 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' } }

/** The registry node's routes. */
export function registryRoutes (registry: EducationRegistry): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Record<string, string | undefined> }>('/education/offerings', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Search the national catalogue, with facets',
        description: 'Text matches word prefixes of names, local codes and IDs (diacritics folded: "hogskole" finds "Høgskole"). Filters combine with AND; several values of one filter with OR. Facets count the whole match.',
        tags: ['education'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 200 },
            kind: csv,
            level: csv,
            field: { type: 'string', description: 'ISCED-F code prefixes' },
            institution: {
              type: 'string',
              maxLength: 400,
              description:
                'Institutions by ID (I…), organisation number or short name (UiO, NTNU), commas for several: the owner on the query date (after mergers: HiG\'s offerings are NTNU\'s from 2016); a value naming no institution is refused (400 EDUCATION_QUERY_INVALID)'
            },
            language: csv,
            status: csv,
            accreditedOn: { ...dateSchema, description: 'Only offerings accredited on this date' },
            asOf: { ...dateSchema, description: 'Valid date (default today)' },
            knownAt: instantSchema,
            offset: { type: 'string', pattern: '^[0-9]{1,7}$', description: 'Default 0' },
            limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$', description: `1–${MAX_PAGE}, default 20` }
          }
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              offset: { type: 'integer' },
              limit: { type: 'integer' },
              items: { type: 'array', items: hitSchema },
              facets: { type: 'object', properties: { kind: countMap, level: countMap, field: countMap, institution: countMap, language: countMap, status: countMap } },
              institutions: labelMap
            }
          },
          400: { $ref: 'ErrorBody#' }
        }
      }
    }, async (request) => {
      const q = request.query as Record<string, any>
      return registry.search({
        q: q.q,
        kind: split(q.kind),
        level: split(q.level),
        field: split(q.field),
        institution: split(q.institution),
        language: split(q.language),
        status: split(q.status),
        accreditedOn: dateOf(q.accreditedOn, 'accreditedOn'),
        asOf: dateOf(q.asOf, 'asOf'),
        knownAt: knownAtOf(q),
        offset: intOf(q.offset, 0),
        limit: intOf(q.limit, 20)
      })
    })

    app.get<{ Params: { id: string }, Querystring: TimeQuery }>('/education/offerings/:id', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'One offering as in force on a date, with its owner today and the issuer then',
        tags: ['education'],
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { asOf: dateSchema, knownAt: instantSchema } },
        response: {
          200: {
            type: 'object',
            properties: { version: versionSchema, eqfLevel: { type: ['integer', 'null'] }, currentOwner: institutionSchema, issuer: institutionSchema, summary: hitSchema }
          },
          ...errors
        }
      }
    }, async (request) => {
      const view = registry.getOffering(request.params.id, { validOn: dateOf(request.query.asOf, 'asOf'), knownAt: knownAtOf(request.query) })
      return { ...view, version: versionJson(view.version), summary: hitOf(view.version, view.issuer?.id ?? view.version.offering.owner) }
    })

    app.get<{ Params: { id: string }, Querystring: TimeQuery }>('/education/offerings/:id/history', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Every version (valid-time periods, corrections), relations both ways, accreditation history',
        tags: ['education'],
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { knownAt: instantSchema } },
        response: {
          200: {
            type: 'object',
            properties: {
              versions: { type: 'array', items: versionSchema },
              relatedFrom: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } } } },
              accreditation: { type: 'array', items: decisionSchema },
              ownership: {
                type: 'array',
                description: 'Who owned it when: each period with the event (merger, split, closure, transfer) that began it',
                items: {
                  type: 'object',
                  properties: {
                    from: { type: 'string' },
                    to: { type: 'string' },
                    owner: { type: 'string' },
                    event: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, effectiveDate: { type: 'string' }, reference: { type: 'string' } } }
                  }
                }
              },
              institutions: labelMap
            }
          },
          ...errors
        }
      }
    }, async (request) => {
      const h = registry.offeringHistory(request.params.id, knownAtOf(request.query))
      return { versions: h.versions.map(versionJson), relatedFrom: h.relatedFrom, accreditation: h.accreditation.map(versionJson), ownership: h.ownership, institutions: h.institutions }
    })

    app.get<{ Params: { id: string }, Querystring: { on?: string, knownAt?: string } }>('/education/offerings/:id/accreditation', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Was this offering accredited on a date, and on what basis',
        tags: ['education'],
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { on: { ...dateSchema, description: 'Default today' }, knownAt: instantSchema } },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              on: { type: 'string' },
              accredited: { type: 'boolean' },
              basis: { type: 'string', enum: ['decision', 'self-accreditation', 'programme', 'none'] },
              status: { type: 'string' },
              reason: { type: 'string' },
              via: { type: 'string' },
              decision: decisionSchema
            }
          },
          ...errors
        }
      }
    }, async (request) => {
      const on = dateOf(request.query.on, 'on') ?? registry.today()
      const a = registry.wasAccredited(request.params.id, on, knownAtOf(request.query))
      return { id: request.params.id, on, ...a, ...(a.decision === undefined ? {} : { decision: versionJson(a.decision) }) }
    })

    app.get<{ Params: { id: string }, Querystring: TimeQuery }>('/education/offerings/:id/elm', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'The offering as an ELM 3 learning opportunity (JSON-LD)',
        tags: ['education', 'export'],
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { asOf: dateSchema } },
        produces: ['application/ld+json']
      }
    }, async (request, reply) => {
      const asOf = dateOf(request.query.asOf, 'asOf')
      const view = registry.getOffering(request.params.id, { validOn: asOf })
      // The offerings it contains, with their names as on the same date.
      const parts = view.version.offering.relations.filter((r) => r.type === 'contains-mandatory' || r.type === 'contains-elective').flatMap((r) => {
        try {
          return [{ id: r.target, name: registry.getOffering(r.target, { validOn: asOf }).version.offering.name }]
        } catch {
          return []
        }
      })
      return await reply.type('application/ld+json').send(JSON.stringify(toElm(view.version, view.currentOwner, parts)))
    })

    app.get<{ Params: { id: string }, Querystring: TimeQuery }>('/education/offerings/:id/ooapi', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'The offering as an OOAPI v5 program or course', tags: ['education', 'export'], params: idParam, querystring: { type: 'object', additionalProperties: false, properties: { asOf: dateSchema } } }
    }, async (request) => {
      const view = registry.getOffering(request.params.id, { validOn: dateOf(request.query.asOf, 'asOf') })
      return toOoapi(view.version, view.currentOwner)
    })

    const bulkQuery = { type: 'object', additionalProperties: false, properties: { asOf: { ...dateSchema, description: 'The catalogue as in force on this date (default today)' }, kind: csv } }
    app.get<{ Querystring: { asOf?: string, kind?: string } }>('/education/export/elm', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'The whole catalogue as an ELM 3 dataset (JSON-LD, @graph of LearningOpportunity), streamed: for the Europass Qualification Dataset Register',
        tags: ['education', 'export'],
        querystring: bulkQuery,
        produces: ['application/ld+json']
      }
    }, async (request, reply) => {
      const asOf = dateOf(request.query.asOf, 'asOf')
      const stream = Readable.from(elmDataset(registry, { ...(asOf === undefined ? {} : { asOf }), kinds: split(request.query.kind) }))
      return await reply.type('application/ld+json').header('content-disposition', 'attachment; filename="catalogue-elm.jsonld"').send(stream)
    })

    app.get<{ Querystring: { asOf?: string, kind?: string } }>('/education/export/ooapi', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'The whole catalogue as OOAPI v5 programs and courses (one page of items), streamed',
        tags: ['education', 'export'],
        querystring: bulkQuery
      }
    }, async (request, reply) => {
      const asOf = dateOf(request.query.asOf, 'asOf')
      const stream = Readable.from(ooapiDataset(registry, { ...(asOf === undefined ? {} : { asOf }), kinds: split(request.query.kind) }))
      return await reply.type('application/json').header('content-disposition', 'attachment; filename="catalogue-ooapi.json"').send(stream)
    })

    app.get<{ Querystring: TimeQuery }>('/education/institutions', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Institutions (as on a date)',
        tags: ['education'],
        querystring: { type: 'object', additionalProperties: false, properties: { asOf: dateSchema, knownAt: instantSchema } },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: institutionSchema } } } }
      }
    }, async (request) => ({ items: registry.listInstitutions({ validOn: dateOf(request.query.asOf, 'asOf'), knownAt: knownAtOf(request.query) }) }))

    app.get<{ Params: { id: string }, Querystring: TimeQuery }>('/education/institutions/:id', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'An institution\'s history: versions, events, who it is today, its predecessors',
        tags: ['education'],
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { knownAt: instantSchema } },
        response: {
          200: {
            type: 'object',
            properties: {
              institution: institutionSchema,
              successorToday: institutionSchema,
              chain: { type: 'array', items: { type: 'string' } },
              predecessors: { type: 'array', items: { type: 'string' } },
              versions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { institution: institutionSchema, seq: { type: 'integer' }, validFrom: { type: 'string' }, validTo: { type: 'string' }, recordedAt: { type: 'string' }, reason: { type: 'string' }, eventId: { type: 'string' } }
                }
              },
              events: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    type: { type: 'string' },
                    effectiveDate: { type: 'string' },
                    predecessors: { type: 'array', items: { type: 'string' } },
                    successors: { type: 'array', items: { type: 'string' } },
                    offerings: { type: 'array', items: { type: 'string' } },
                    reference: { type: 'string' },
                    note: { type: 'string' },
                    recordedAt: { type: 'string' }
                  }
                }
              },
              institutions: labelMap
            }
          },
          ...errors
        }
      }
    }, async (request) => {
      const h = registry.institutionHistory(request.params.id, knownAtOf(request.query))
      const ids = [...h.chain, ...h.predecessors, ...h.events.flatMap((e) => [...e.predecessors, ...e.successors])]
      return { ...h, versions: h.versions.map(versionJson), events: h.events.map(versionJson), institutions: registry.labels(ids) }
    })

    app.get<{ Querystring: { dbh?: string, fs?: string, organisationNumber?: string, institution?: string, localCode?: string, localVersion?: string, kind?: string } }>('/education/crosswalk', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Find national IDs by DBH code, FS number, organisation number, or an institution\'s local code',
        tags: ['education'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { dbh: { type: 'string' }, fs: { type: 'string' }, organisationNumber: { type: 'string' }, institution: { type: 'string' }, localCode: { type: 'string' }, localVersion: { type: 'string' }, kind: { type: 'string' } }
        },
        response: { 200: { type: 'object', properties: { institutions: { type: 'array', items: { type: 'string' } }, offerings: { type: 'array', items: { type: 'string' } } } } }
      }
    }, async (request) => {
      const q = request.query
      const institutions = registry.listInstitutions().filter((i) =>
        (q.dbh !== undefined && i.dbhCode === q.dbh) || (q.fs !== undefined && i.fsNumber === q.fs) || (q.organisationNumber !== undefined && i.organisationNumber === q.organisationNumber)
      ).map((i) => i.id)
      const offerings: string[] = []
      if (q.institution !== undefined && q.localCode !== undefined) {
        for (const kind of q.kind === undefined ? ['study-programme', 'course', 'qualification', 'micro-credential', 'non-formal-course', 'upper-secondary-programme', 'upper-secondary-subject'] : [q.kind]) {
          const id = registry.store.crosswalk.get(`x/${q.institution}/${kind}/${q.localCode.toUpperCase()}/${(q.localVersion ?? '1').toUpperCase()}`)
          if (id !== undefined) offerings.push(id)
        }
      }
      return { institutions, offerings }
    })

    const institutionBody = {
      type: 'object',
      additionalProperties: false,
      required: ['organisationNumber', 'name', 'shortName', 'category', 'validFrom'],
      properties: {
        ...institutionSchema.properties,
        id: { type: 'string', description: 'Empty or absent for a new institution; its ID for a new version of it' },
        versionValidFrom: { ...dateSchema, description: 'When this version takes effect (default validFrom)' },
        reason: { type: 'string', maxLength: 100 }
      }
    }
    app.post<{ Body: Record<string, any> }>('/education/admin/institutions', {
      config: { policy: { caller: 'service', scope: EDUCATION_SCOPES.admin } },
      schema: {
        summary: 'Operator: record an institution, or a new version of one (service token with scope education.admin)',
        ...bearer,
        tags: ['education', 'admin'],
        body: institutionBody,
        response: { 201: { type: 'object', properties: { institution: institutionSchema, seq: { type: 'integer' }, validFrom: { type: 'string' } } }, 400: { $ref: 'ErrorBody#' }, ...authErrors }
      }
    }, async (request, reply) => {
      const b = request.body
      const v = await registry.putInstitution(
        {
          id: b.id ?? '',
          organisationNumber: b.organisationNumber,
          name: b.name,
          shortName: b.shortName,
          category: b.category,
          selfAccreditation: { upToLevel: b.selfAccreditation?.upToLevel ?? '', doctoralFields: b.selfAccreditation?.doctoralFields ?? [] },
          dbhCode: b.dbhCode ?? '',
          fsNumber: b.fsNumber ?? '',
          admissionCodes: b.admissionCodes ?? [],
          validFrom: b.validFrom,
          validTo: b.validTo ?? ''
        },
        { validFrom: b.versionValidFrom, reason: b.reason }
      )
      return await reply.status(201).send({ institution: v.institution, seq: v.seq, validFrom: v.validFrom })
    })

    app.post<{ Body: Record<string, any> }>('/education/admin/events', {
      config: { policy: { caller: 'service', scope: EDUCATION_SCOPES.admin } },
      schema: {
        summary: 'Operator: record a merger, split, transfer, rename, category change or closure (service token with scope education.admin)',
        ...bearer,
        tags: ['education', 'admin'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'effectiveDate', 'predecessors', 'reference'],
          properties: {
            type: { type: 'string' },
            effectiveDate: dateSchema,
            predecessors: { type: 'array', items: { type: 'string' } },
            successors: { type: 'array', items: { type: 'string' } },
            offerings: { type: 'array', items: { type: 'string' } },
            reference: { type: 'string', maxLength: 200 },
            note: { type: 'string', maxLength: 2000 }
          }
        },
        response: { 201: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' }, effectiveDate: { type: 'string' } } }, 400: { $ref: 'ErrorBody#' }, ...authErrors }
      }
    }, async (request, reply) => {
      const b = request.body
      const e = await registry.recordEvent({
        id: '',
        type: b.type,
        effectiveDate: b.effectiveDate,
        predecessors: b.predecessors,
        successors: b.successors ?? [],
        offerings: b.offerings ?? [],
        reference: b.reference,
        note: b.note ?? '',
        recordedAt: 0
      })
      return await reply.status(201).send({ id: e.id, type: e.type, effectiveDate: e.effectiveDate })
    })

    app.get<{ Querystring: { asOf?: string, knownAt?: string, kind?: string } }>('/education/statistics', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'Counts by kind, NKR level, ISCED-F broad field, institution, and year (active on 1 October)',
        tags: ['education'],
        querystring: { type: 'object', additionalProperties: false, properties: { asOf: dateSchema, knownAt: instantSchema, kind: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              asOf: { type: 'string' },
              total: { type: 'integer' },
              byKind: countMap,
              byLevel: countMap,
              byYear: countMap,
              byField: { type: 'object', additionalProperties: { type: 'object', properties: { label: { type: 'string' }, count: { type: 'integer' } } } },
              byInstitution: { type: 'object', additionalProperties: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } } } }
            }
          }
        }
      }
    }, async (request) => registry.statistics({ asOf: dateOf(request.query.asOf, 'asOf'), knownAt: knownAtOf(request.query), kind: request.query.kind }))
  }
}

// ---------------------------------------------------------------------------------------------
// The institution node

interface ImportJob {
  id: string
  state: 'running' | 'done' | 'failed'
  progress: ImportProgress
  report?: ImportReport
  error?: { code: ErrorCode, message: string, fields?: Array<{ path: string, message: string }> }
}

export function catalogueRoutes (catalogue: InstitutionCatalogue): FastifyPluginAsync {
  const jobs = new Map<string, ImportJob>()
  let running: ImportJob | undefined
  return async (app) => {
    app.get<{ Querystring: { offset?: string, limit?: string } }>('/catalogue/offerings', {
      config: { policy: { caller: 'public' } },
      schema: {
        summary: 'This institution\'s catalogue (versions in force today)',
        tags: ['catalogue'],
        querystring: { type: 'object', additionalProperties: false, properties: { offset: { type: 'string', pattern: '^[0-9]{1,7}$' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } } },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: versionSchema } } } }
      }
    }, async (request) => {
      const page = catalogue.list(intOf(request.query.offset, 0), Math.min(1000, Math.max(1, intOf(request.query.limit, 100))))
      return { total: page.total, items: page.items.map(versionJson) }
    })

    app.get<{ Params: { id: string } }>('/catalogue/offerings/:id', {
      config: { policy: { caller: 'public' } },
      schema: { summary: 'One offering of this catalogue, every version', tags: ['catalogue'], params: idParam, response: { 200: { type: 'object', properties: { versions: { type: 'array', items: versionSchema } } }, ...errors } }
    }, async (request) => ({ versions: catalogue.get(request.params.id).map(versionJson) }))

    app.post<{ Body: { format: 'csv' | 'json', content: string } }>('/catalogue/imports', {
      config: { policy: { caller: 'service', scope: EDUCATION_SCOPES.import } },
      bodyLimit: 128 * 1024 * 1024,
      schema: {
        summary: 'Start a catalogue import (what `lifelong import catalogue` calls; service token with scope catalogue.import); poll the returned job',
        ...bearer,
        tags: ['catalogue'],
        body: { type: 'object', additionalProperties: false, required: ['format', 'content'], properties: { format: { type: 'string', enum: ['csv', 'json'] }, content: { type: 'string', maxLength: 128 * 1024 * 1024 } } },
        response: { 202: { type: 'object', properties: { id: { type: 'string' } } }, 409: { $ref: 'ErrorBody#' }, ...authErrors }
      }
    }, async (request, reply) => {
      if (running !== undefined) throw new LifelongError('conflict', 'CATALOGUE_IMPORT_RUNNING', `import ${running.id} is still running`)
      const job: ImportJob = { id: `import-${Date.now().toString(36)}-${jobs.size + 1}`, state: 'running', progress: { phase: 'validating', done: 0, total: 0 } }
      jobs.set(job.id, job)
      // Keep the last 20 reports.
      for (const id of [...jobs.keys()].slice(0, Math.max(0, jobs.size - 20))) jobs.delete(id)
      running = job
      const { format, content } = request.body
      void catalogue.importFile(content, format, (p) => {
        job.progress = p
      }).then((report) => {
        job.state = 'done'
        job.report = report
      }, (err: unknown) => {
        job.state = 'failed'
        job.progress = { ...job.progress, phase: 'failed' }
        const e = err instanceof LifelongError ? err : new LifelongError('internal', 'INTERNAL', 'internal error')
        job.error = { code: e.code, message: e.kind === 'internal' ? 'internal error' : e.message, ...('fields' in e ? { fields: (e as { fields: Array<{ path: string, message: string }> }).fields } : {}) }
        if (e.kind === 'internal') request.log.error({ err }, 'catalogue import failed')
      }).finally(() => {
        running = undefined
      })
      return await reply.status(202).send({ id: job.id })
    })

    app.get<{ Params: { id: string } }>('/catalogue/imports/:id', {
      config: { policy: { caller: 'service', scope: EDUCATION_SCOPES.import } },
      schema: {
        summary: 'Progress and report of an import (scope catalogue.import)',
        tags: ['catalogue'],
        ...bearer,
        params: { type: 'object', properties: { id: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              state: { type: 'string' },
              progress: { type: 'object', properties: { phase: { type: 'string' }, done: { type: 'integer' }, total: { type: 'integer' } } },
              report: {
                type: 'object',
                properties: {
                  rows: { type: 'integer' },
                  created: { type: 'integer' },
                  updated: { type: 'integer' },
                  unchanged: { type: 'integer' },
                  registryLogSize: { type: 'integer' },
                  localLogSize: { type: 'integer' },
                  ids: { type: 'object', additionalProperties: { type: 'string' } }
                }
              },
              error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } } }
            }
          },
          404: { $ref: 'ErrorBody#' }
        }
      }
    }, async (request) => {
      const job = jobs.get(request.params.id)
      if (job === undefined) throw new LifelongError('not-found', 'CATALOGUE_IMPORT_UNKNOWN', `no import ${request.params.id}`)
      return job
    })

    app.post('/catalogue/sync', {
      config: { policy: { caller: 'service', scope: EDUCATION_SCOPES.import } },
      schema: {
        summary: 'Fetch the offerings this institution owns in the registry (after a merger: its predecessors\' too; scope catalogue.import)',
        tags: ['catalogue'],
        ...bearer,
        response: { 200: { type: 'object', properties: { fetched: { type: 'integer' }, stored: { type: 'integer' } } } }
      }
    }, async () => {
      return await catalogue.syncOwned()
    })
  }
}

/** The accreditor node's route: NOKUT's case workers record a decision; the node signs and sends it to the registry. */
export function accreditorRoutes (desk: AccreditorDesk): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: DecisionInput }>('/accreditation/decisions', {
      config: { policy: { caller: 'service', scope: EDUCATION_SCOPES.decide } },
      schema: {
        summary: 'Record an accreditation decision at the registry (service token with scope accreditation.decide)',
        ...bearer,
        tags: ['accreditation'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['subjectType', 'subject', 'type', 'status', 'decisionDate', 'validFrom', 'reference'],
          properties: {
            subjectType: { type: 'string', enum: ['offering', 'institution'] },
            subject: { type: 'string' },
            type: { type: 'string' },
            status: { type: 'string' },
            decisionDate: dateSchema,
            validFrom: dateSchema,
            validTo: dateSchema,
            reference: { type: 'string', maxLength: 100 }
          }
        },
        response: { 201: decisionSchema, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, ...authErrors }
      }
    }, async (request, reply) => {
      const d = await desk.record(request.body)
      return await reply.status(201).send(versionJson(d))
    })
  }
}
