/**
 * The learner registry's HTTP API on the index node. Every route is a POST with a JSON body
 * (identifiers never travel in a URL), a JSON Schema, one registry call and a reply.
 *
 * - Routes for the index operator's systems need a `service` bearer token with the route's
 *   scope, and a purpose and legal basis in the body; the access is recorded under the
 *   operator's organisation.
 * - `/learners/self` and `/learners/self/access-log` need a signed-in learner: the learner
 *   sees their own data and who read or wrote it, and nothing else (LEARNERS_NOT_SELF).
 *
 * Who the caller is, and whether a service token carries the route's scope, the HTTP edge has
 * checked before a handler runs (each route's `config.policy`, src/edges/http/edge.ts); handlers take
 * the learner from `request.caller`.
 * - `/learners/change-requests` and `…/decide` are the operator's queue of changes members asked
 *   for and only the operator may make (a national ID added to a known learner): scope
 *   `learners.approve`.
 *
 * Members reach the same operations over the signed protocol (protocol.ts), not over HTTP.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { normaliseEducationId } from '../../../core/identifiers/index.ts'
import { LifelongError } from '../../../core/errors.ts'
import type { LearnerRegistry, LearnerRecord } from '../../../services/registry/learners/registry.ts'
import { INPUT_SCHEMES, LEGAL_BASES, type Accessor, type Identifier } from '../../../services/registry/learners/model.ts'

export interface LearnerRoutesDeps {
  registry: LearnerRegistry
  /** The index operator's organisation number. */
  organisationNumber: string
  /** This index node's name, recorded for the operator's systems and the learner (who call over HTTP, not as a node). */
  name: string
}

/** The scopes of the service routes. */
export const SCOPES = {
  register: 'learners.register',
  issue: 'learners.issue',
  identifiers: 'learners.identifiers',
  merge: 'learners.merge',
  resolve: 'learners.resolve',
  match: 'learners.match',
  resultSources: 'learners.result-sources',
  enrolment: 'learners.enrolment',
  approve: 'learners.approve'
} as const

const str = (maxLength: number, description?: string): Record<string, unknown> => ({ type: 'string', maxLength, ...(description === undefined ? {} : { description }) })

const identifierIn = {
  type: 'object',
  additionalProperties: false,
  required: ['scheme', 'value'],
  description: 'An identifier of a person',
  properties: {
    scheme: { type: 'string', enum: [...INPUT_SCHEMES], description: '"national-id" (fødselsnummer or D-number, told apart by the index), "fnr", "dnr", "education-id", "esi", "foreign"' },
    value: str(200, 'Canonical form: 11 digits; NO-EDU-XXXX-XXXX-XXXC; the ESI URN; the foreign value'),
    country: str(2, 'For "foreign": ISO 3166-1 alpha-2'),
    validFrom: str(10, 'ISO date'),
    validTo: str(10, 'ISO date')
  }
} as const

const identifierOut = {
  type: 'object',
  properties: { scheme: { type: 'string' }, value: { type: 'string' }, country: { type: 'string' }, validFrom: { type: 'string' }, validTo: { type: 'string' }, source: { type: 'string' } }
} as const

const refIn = {
  type: 'object',
  additionalProperties: false,
  description: 'The learner: the opaque learner ID, or one identifier',
  properties: { learnerId: str(26), identifier: identifierIn }
} as const

const contactSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    addresses: { type: 'array', maxItems: 5, items: { type: 'object', additionalProperties: false, properties: { lines: { type: 'array', maxItems: 5, items: str(200) }, postalCode: str(20), city: str(200), country: str(2) } } },
    channels: {
      type: 'array',
      maxItems: 10,
      items: { type: 'object', additionalProperties: false, required: ['kind', 'value'], properties: { kind: { type: 'string', enum: ['email', 'mobile', 'phone', 'other'] }, value: str(254), label: str(100) } }
    }
  }
} as const

const personIn = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'birthDate'],
  properties: {
    identifiers: { type: 'array', maxItems: 20, items: identifierIn },
    name: { type: 'object', additionalProperties: false, required: ['given', 'family'], properties: { given: str(200), family: str(200) } },
    birthDate: str(10, 'ISO date, as the source has it'),
    gender: { type: 'string', enum: ['', 'female', 'male', 'other', 'unknown'] },
    contact: contactSchema
  }
} as const

const why = {
  purpose: str(64, 'Required: why the data is processed, e.g. "admission.identity-check"'),
  legalBasis: { type: 'string', maxLength: 20, description: `Required: ${Object.keys(LEGAL_BASES).join(', ')}` }
} as const

const errors = {
  400: { $ref: 'ErrorBody#' },
  401: { $ref: 'ErrorBody#' },
  403: { $ref: 'ErrorBody#' },
  404: { $ref: 'ErrorBody#' },
  409: { $ref: 'ErrorBody#' }
} as const

const outcome = { type: 'object', properties: { index: { type: 'integer' }, status: { type: 'string' }, learnerId: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } as const

const enrolmentOut = {
  type: 'object',
  properties: { institution: { type: 'string' }, offeringId: { type: 'string' }, status: { type: 'string' }, startDate: { type: 'string' }, endDate: { type: 'string' }, active: { type: 'boolean' } }
} as const
const sourceOut = { type: 'object', properties: { organisationNumber: { type: 'string' }, name: { type: 'string' }, peerIds: { type: 'array', items: { type: 'string' } }, registeredAtMs: { type: 'integer' } } } as const
const accessRowOut = {
  type: 'object',
  properties: {
    atMs: { type: 'integer' },
    at: { type: 'string' },
    kind: { type: 'string', enum: ['read', 'write'] },
    organisationNumber: { type: 'string' },
    organisationName: { type: 'string', description: 'The name of the node that read or wrote, as the manifest names it' },
    peerId: { type: 'string', description: 'Its peer ID; empty for the operator\'s systems and the learner over HTTP' },
    role: { type: 'string', description: 'institution, portal, operator or learner' },
    operation: { type: 'string' },
    change: { type: 'string', description: 'For a write: what changed' },
    basis: { type: 'string', description: 'For a write: created, relationship, identity-match or operator' },
    purpose: { type: 'string' },
    legalBasis: { type: 'string' },
    legalBasisLabel: { type: 'string' },
    requestId: { type: 'string' }
  }
} as const

interface Why {
  purpose?: string
  legalBasis?: string
}

/** The operator's systems: a service token is the operator's (docs/LEARNER-REGISTRY.md §HTTP API). */
function serviceAccessor (deps: LearnerRoutesDeps, body: Why): Accessor {
  return {
    organisationNumber: deps.organisationNumber,
    peerId: '',
    peerIdBytes: new Uint8Array(),
    requestId: randomBytes(16),
    purpose: body.purpose ?? '',
    legalBasis: body.legalBasis ?? '',
    channel: 'http-service',
    role: 'operator',
    callerName: deps.name
  }
}

/**
 * The identifier of the signed-in learner the edge authenticated (the route's policy is `learner`).
 * @throws LifelongError LEARNERS_SUBJECT_UNSUPPORTED when the sign-in's subject is neither a national ID nor an education ID
 */
function callerIdentifier (request: FastifyRequest): Identifier {
  const caller = request.caller
  if (caller.kind !== 'learner') throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in first')
  return subjectIdentifier(caller.subject)
}

/** The identifier a learner token's subject holds. */
function subjectIdentifier (subject: string): Identifier {
  if (/^\d{11}$/.test(subject)) return { scheme: 'national-id', value: subject }
  const edu = normaliseEducationId(subject)
  if (edu !== undefined) return { scheme: 'education-id', value: edu }
  throw new LifelongError('forbidden', 'LEARNERS_SUBJECT_UNSUPPORTED', 'the token subject is neither a national ID nor an education ID')
}

function learnerOut (r: LearnerRecord): Record<string, unknown> {
  return {
    learnerId: r.learnerId,
    version: r.version,
    status: r.status,
    identifiers: r.identifiers,
    name: r.name,
    birthDate: r.birthDate,
    gender: r.gender,
    contact: r.contact,
    mergedFrom: r.mergedFrom,
    source: r.source,
    recordedAtMs: Number(r.recordedAtMs)
  }
}

const rowsOut = (rows: Array<{ atMs?: number | null, legalBasis?: string | null }>): unknown[] => rows.map((r) => ({ ...r, at: new Date(r.atMs ?? 0).toISOString(), legalBasisLabel: LEGAL_BASES[r.legalBasis ?? ''] ?? '' }))

/** The routes, as a Fastify plugin for the node's app. */
export function learnerRoutes (deps: LearnerRoutesDeps): FastifyPluginAsync {
  const { registry } = deps
  const tags = ['learners']

  return async (app) => {
    app.post<{ Body: { learners: unknown[] } & Why }>('/learners/register', {
      config: { policy: { caller: 'service', scope: SCOPES.register } },
      schema: {
        summary: 'Register learners (matched on their identifiers; created if unknown)',
        description: `Scope ${SCOPES.register}. Idempotent.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['learners'], properties: { learners: { type: 'array', minItems: 1, maxItems: 1000, items: personIn }, ...why } },
        response: { 200: { type: 'object', properties: { outcomes: { type: 'array', items: outcome } } }, ...errors }
      }
    }, async (request) => {
      return { outcomes: await registry.registerLearners(request.body.learners as never[], serviceAccessor(deps, request.body)) }
    })

    app.post<{ Body: { person: unknown, idempotencyKey: string, allowPossibleDuplicate?: boolean } & Why }>('/learners/education-ids', {
      config: { policy: { caller: 'service', scope: SCOPES.issue } },
      schema: {
        summary: 'Issue an education ID to a person with no Norwegian national ID',
        description: `Scope ${SCOPES.issue}. Idempotent per idempotencyKey. 409 LEARNERS_POSSIBLE_DUPLICATE when a learner with the same name and birth date exists (set allowPossibleDuplicate after checking).`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['person', 'idempotencyKey'], properties: { person: personIn, idempotencyKey: str(200), allowPossibleDuplicate: { type: 'boolean' }, ...why } },
        response: {
          200: { type: 'object', properties: { learnerId: { type: 'string' }, educationId: { type: 'string' }, created: { type: 'boolean' } } },
          201: { type: 'object', properties: { learnerId: { type: 'string' }, educationId: { type: 'string' }, created: { type: 'boolean' } } },
          ...errors
        }
      }
    }, async (request, reply) => {
      const b = request.body
      const res = await registry.issueEducationId(b.person as never, b.idempotencyKey, b.allowPossibleDuplicate === true, serviceAccessor(deps, b))
      return await reply.status(res.created ? 201 : 200).send(res)
    })

    app.post<{ Body: { learner: unknown, identifier: unknown, replaces?: unknown } & Why }>('/learners/identifiers', {
      config: { policy: { caller: 'service', scope: SCOPES.identifiers } },
      schema: {
        summary: 'Add an identifier to a learner (e.g. the fødselsnummer that replaces a D-number)',
        description: `Scope ${SCOPES.identifiers}. The replaced identifier gets an end date and keeps resolving.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['learner', 'identifier'], properties: { learner: refIn, identifier: identifierIn, replaces: identifierIn, ...why } },
        response: { 200: { type: 'object', properties: { learnerId: { type: 'string' }, version: { type: 'integer' } } }, ...errors }
      }
    }, async (request) => {
      const b = request.body
      return await registry.addIdentifier(b.learner as never, b.identifier as never, b.replaces as never, serviceAccessor(deps, b))
    })

    app.post<{ Body: { survivor: unknown, merged: unknown } & Why }>('/learners/merge', {
      config: { policy: { caller: 'service', scope: SCOPES.merge } },
      schema: {
        summary: 'Merge two records of one person',
        description: `Scope ${SCOPES.merge}. Nothing is deleted: both records get a new version, and everything of the merged learner is found through the survivor.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['survivor', 'merged'], properties: { survivor: refIn, merged: refIn, ...why } },
        response: { 200: { type: 'object', properties: { learnerId: { type: 'string' }, version: { type: 'integer' } } }, ...errors }
      }
    }, async (request) => {
      const b = request.body
      return await registry.mergeLearners(b.survivor as never, b.merged as never, serviceAccessor(deps, b))
    })

    app.post<{ Body: { identifier: unknown } & Why }>('/learners/resolve', {
      config: { policy: { caller: 'service', scope: SCOPES.resolve } },
      schema: {
        summary: 'Identity resolution: which learner an identifier belongs to',
        description: `Scope ${SCOPES.resolve}. Recorded in the learner's access log.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['identifier'], properties: { identifier: identifierIn, ...why } },
        response: { 200: { type: 'object', properties: { learnerId: { type: 'string' }, identifierCurrent: { type: 'boolean' }, identifiers: { type: 'array', items: identifierOut } } }, ...errors }
      }
    }, async (request) => {
      return await registry.resolve(request.body.identifier as never, serviceAccessor(deps, request.body))
    })

    app.post<{ Body: { identifier?: unknown, familyName: string, givenName: string, birthDate: string } & Why }>('/learners/match', {
      config: { policy: { caller: 'service', scope: SCOPES.match } },
      schema: {
        summary: 'Match a person on the eIDAS minimum data set',
        description: `Scope ${SCOPES.match}. Zero, one or several candidates: with several, do not choose.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['familyName', 'givenName', 'birthDate'], properties: { identifier: identifierIn, familyName: str(200), givenName: str(200), birthDate: str(10), ...why } },
        response: { 200: { type: 'object', properties: { candidates: { type: 'array', items: { type: 'object', properties: { learnerId: { type: 'string' }, matchedOn: { type: 'array', items: { type: 'string' } } } } } } }, ...errors }
      }
    }, async (request) => {
      return { candidates: await registry.match(request.body as never, serviceAccessor(deps, request.body)) }
    })

    app.post<{ Body: { learner: unknown } & Why }>('/learners/result-sources', {
      config: { policy: { caller: 'service', scope: SCOPES.resultSources } },
      schema: {
        summary: 'Where are the learner\'s results',
        description: `Scope ${SCOPES.resultSources}. Recorded in the learner's access log.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['learner'], properties: { learner: refIn, ...why } },
        response: { 200: { type: 'object', properties: { learnerId: { type: 'string' }, sources: { type: 'array', items: sourceOut } } }, ...errors }
      }
    }, async (request) => {
      return await registry.findResultSources(request.body.learner as never, serviceAccessor(deps, request.body))
    })

    app.post<{ Body: { learner: unknown, institution?: string, offeringId?: string, asOf?: string } & Why }>('/learners/enrolment-status', {
      config: { policy: { caller: 'service', scope: SCOPES.enrolment } },
      schema: {
        summary: 'Is the learner enrolled (at an institution, in an offering, on a day)',
        description: `Scope ${SCOPES.enrolment}. Recorded in the learner's access log.`,
        tags,
        body: { type: 'object', additionalProperties: false, required: ['learner'], properties: { learner: refIn, institution: str(9), offeringId: str(100), asOf: str(10), ...why } },
        response: { 200: { type: 'object', properties: { learnerId: { type: 'string' }, enrolled: { type: 'boolean' }, enrolments: { type: 'array', items: enrolmentOut } } }, ...errors }
      }
    }, async (request) => {
      const b = request.body
      return await registry.checkEnrolment(b.learner as never, { institution: b.institution, offeringId: b.offeringId, asOf: b.asOf }, serviceAccessor(deps, b))
    })

    const changeRequestOut = {
      type: 'object',
      properties: {
        id: { type: 'string' },
        learnerId: { type: 'string' },
        kind: { type: 'string' },
        identifier: identifierOut,
        replaces: identifierOut,
        status: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
        requestedBy: { type: 'object', properties: { organisationNumber: { type: 'string' }, name: { type: 'string' }, peerId: { type: 'string' }, role: { type: 'string' } } },
        requestedAtMs: { type: 'integer' },
        decidedAtMs: { type: 'integer' },
        note: { type: 'string' },
        version: { type: 'integer' }
      }
    } as const

    app.post<{ Body: { status?: string, limit?: number } & Why }>('/learners/change-requests', {
      config: { policy: { caller: 'service', scope: SCOPES.approve } },
      schema: {
        summary: 'The operator\'s queue: changes members asked for that only the operator may make',
        description: `Scope ${SCOPES.approve}. Pending requests by default, oldest first. Listing is recorded in each learner's access log.`,
        tags,
        body: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'approved', 'rejected'] }, limit: { type: 'integer', minimum: 1, maximum: 500 }, ...why } },
        response: { 200: { type: 'object', properties: { requests: { type: 'array', items: changeRequestOut } } }, ...errors }
      }
    }, async (request) => {
      const b = request.body
      return { requests: await registry.changeRequests({ status: b.status, limit: b.limit }, serviceAccessor(deps, b)) }
    })

    app.post<{ Body: { id: string, decision: string, note?: string } & Why }>('/learners/change-requests/decide', {
      config: { policy: { caller: 'service', scope: SCOPES.approve } },
      schema: {
        summary: 'Approve or reject a change a member asked for',
        description:
          `Scope ${SCOPES.approve}. Approved, the change is made now as the operator's write; rejected, nothing changes. The learner sees who asked and who decided. 409 LEARNERS_CHANGE_REQUEST_DECIDED for a request decided before.`,
        tags,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'decision'],
          properties: { id: str(32), decision: { type: 'string', enum: ['approve', 'reject'] }, note: str(200, 'Why, for the record (no personal data)'), ...why }
        },
        response: { 200: changeRequestOut, ...errors }
      }
    }, async (request) => {
      const b = request.body
      return await registry.decideChangeRequest(b.id, b.decision, b.note ?? '', serviceAccessor(deps, b))
    })

    const selfAccessor = (): Accessor => ({
      organisationNumber: deps.organisationNumber,
      peerId: '',
      peerIdBytes: new Uint8Array(),
      requestId: randomBytes(16),
      purpose: 'learner.self-service',
      legalBasis: 'gdpr-6-1-c',
      channel: 'http-learner',
      role: 'learner',
      callerName: deps.name
    })

    app.post<{ Body: { learnerId?: string, accessLogLimit?: number, accessLogBeforeMs?: number } | undefined }>('/learners/self', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'The signed-in learner\'s own data: identity, where their results are, enrolments, and who accessed their data',
        description: 'A signed-in learner. `learnerId`, if given, must be the learner\'s own (403 LEARNERS_NOT_SELF otherwise).',
        tags,
        body: { type: 'object', additionalProperties: false, properties: { learnerId: str(26), accessLogLimit: { type: 'integer', minimum: 0, maximum: 500 }, accessLogBeforeMs: { type: 'integer', minimum: 0 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              learner: {
                type: 'object',
                properties: {
                  learnerId: { type: 'string' },
                  version: { type: 'integer' },
                  status: { type: 'string' },
                  identifiers: { type: 'array', items: identifierOut },
                  name: { type: 'object', properties: { given: { type: 'string' }, family: { type: 'string' } } },
                  birthDate: { type: 'string' },
                  gender: { type: 'string' },
                  contact: contactSchema,
                  mergedFrom: { type: 'array', items: { type: 'string' } },
                  source: { type: 'string' },
                  recordedAtMs: { type: 'integer' }
                }
              },
              sources: { type: 'array', items: sourceOut },
              enrolments: { type: 'array', items: enrolmentOut },
              accessLog: { type: 'array', items: accessRowOut }
            }
          },
          ...errors
        }
      }
    }, async (request) => {
      const b = request.body ?? {}
      const own = await registry.ownData(callerIdentifier(request), { accessLogLimit: b.accessLogLimit ?? 50, accessLogBeforeMs: b.accessLogBeforeMs ?? 0, expectLearnerId: b.learnerId }, selfAccessor())
      return { learner: learnerOut(own.learner), sources: own.sources, enrolments: own.enrolments, accessLog: rowsOut(own.accessLog) }
    })

    app.post<{ Body: { learnerId?: string, limit?: number, beforeMs?: number } | undefined }>('/learners/self/access-log', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'Which organisations read or wrote the signed-in learner\'s data, when, why and under which legal basis',
        description: 'A signed-in learner. Newest first; page with beforeMs. `learnerId`, if given, must be the learner\'s own (403 LEARNERS_NOT_SELF).',
        tags,
        body: { type: 'object', additionalProperties: false, properties: { learnerId: str(26), limit: { type: 'integer', minimum: 1, maximum: 500 }, beforeMs: { type: 'integer', minimum: 0 } } },
        response: { 200: { type: 'object', properties: { learnerId: { type: 'string' }, accessLog: { type: 'array', items: accessRowOut } } }, ...errors }
      }
    }, async (request) => {
      const b = request.body ?? {}
      const own = await registry.ownData(callerIdentifier(request), { accessLogLimit: b.limit ?? 50, accessLogBeforeMs: b.beforeMs ?? 0, expectLearnerId: b.learnerId }, selfAccessor())
      return { learnerId: own.learner.learnerId, accessLog: rowsOut(own.accessLog) }
    })
  }
}
