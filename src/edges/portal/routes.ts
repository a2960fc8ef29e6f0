/**
 * The portal's HTTP routes: the learner's pages (sign-in, my results, shares, who saw my data),
 * the employer's share page, a JSON API for the same, and — in test and demo federations only —
 * the development OIDC issuer. Forms post `application/x-www-form-urlencoded`; national IDs
 * never travel in a URL (the learner is the token's subject, a share is an opaque ID).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import { HTTP_STATUS } from '../http/errors.ts'
import { PAGE_CSP } from '../http/security-headers.ts'
import { resultBundle, BUNDLE_SET_FORMAT } from '../../services/registry/results/bundle.ts'
import { TRUST_ANCHOR_PATH } from '../../core/federation/anchor.ts'
import { logOriginOf } from '../../services/registry/results/verify.ts'
import { osloDay } from '../../services/registry/results/model.ts'
import { accessPage, devIssuerPage, formPostPage, landingPage, resultsPage, shareCodePage, shareCreatedPage, sharesPage, shareViewPage, type AccessRow, type SignedIn } from './pages.ts'
import type { Lang } from './i18n.ts'
import { createHash, randomBytes } from 'node:crypto'
import { transcriptPdf } from './pdf.ts'
import type { PortalResult } from '../../services/portal/fetch.ts'
import { PKCE_CHALLENGE, type LearnerIdentity } from '../../services/portal/oidc.ts'
import { ACCESS_LOG, OWN_RESULTS, SHARE_VIEW, groupKeys, type PortalModule } from '../../services/portal/module.ts'
import { DEV_AUDIENCE } from '../../core/config/development.ts'

type Form = Record<string, string | string[]>

/** The page's language: `?lang=` (which the edge keeps in the `lang` cookie), else that cookie. */
function langOf (request: FastifyRequest): Lang {
  const q = (request.query as { lang?: string } | undefined)?.lang
  if (q === 'nb' || q === 'en') return q
  return request.cookies.lang === 'en' ? 'en' : 'nb'
}

const html = async (reply: FastifyReply, body: string, status = 200): Promise<FastifyReply> => await reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body)
const one = (v: string | string[] | undefined): string => Array.isArray(v) ? (v[0] ?? '') : (v ?? '')
const many = (v: string | string[] | undefined): string[] => v === undefined ? [] : Array.isArray(v) ? v : [v]
const nameOf = (i: LearnerIdentity): string => `${i.givenNames} ${i.familyName}`.trim()
/** Who a page is for: the learner's name and their session's CSRF token for the page's forms (set by the edge, src/edges/http/csrf.ts). */
const signedIn = (request: FastifyRequest, i: LearnerIdentity): SignedIn => ({ name: nameOf(i), ...(request.csrfToken === undefined ? {} : { csrf: request.csrfToken }) })
/** The last moment of a calendar day in Norway (CET; an hour's slack in summer). */
const endOfDay = (day: string): number => Date.parse(`${day}T23:59:59+01:00`)

const langQuery = { type: 'object', properties: { lang: { type: 'string', enum: ['nb', 'en'] } } } as const
const shareParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-hjkmnp-tv-z]{26}$' } } } as const
const stringOrList = { anyOf: [{ type: 'string', maxLength: 100 }, { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 100 } }] }

export function portalRoutes (portal: PortalModule): FastifyPluginAsync {
  return async (app) => {
    // Forms are parsed by the edge (@fastify/formbody); errors of pages are rendered by the
    // node's one error handler, and a page for signed-in learners is reached only with a sign-in
    // (the edge sends anyone else to sign in first), so handlers take the learner from the request.
    const learner = (request: FastifyRequest): LearnerIdentity => portal.identityOf(request)

    app.get('/', { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { hide: true } }, async (_request, reply) => await reply.redirect('/portal', 302))

    app.get('/portal', { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { summary: 'The portal\'s front page', tags: ['portal'], querystring: langQuery, produces: ['text/html'] } }, async (request, reply) => {
      const lang = langOf(request)
      if (await portal.sessions.identify(request) !== undefined) return await reply.redirect('/portal/results', 303)
      return await html(reply, landingPage(lang))
    })

    app.get<{ Querystring: { returnTo?: string } }>('/portal/login', {
      config: { policy: { caller: 'public' }, errors: 'page', limit: 'signIn' },
      schema: { summary: 'Start signing in at the OIDC issuer', tags: ['portal'], querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 500 } } } }
    }, async (request, reply) => await reply.redirect(portal.sessions.signInUrl(reply, request.query.returnTo ?? '/portal/results'), 303))

    const callbackFields = { code: { type: 'string', maxLength: 2048 }, state: { type: 'string', maxLength: 200 }, iss: { type: 'string', maxLength: 500 }, error: { type: 'string', maxLength: 200 }, error_description: { type: 'string', maxLength: 1000 } } as const
    const completeSignIn = async (request: FastifyRequest, reply: FastifyReply, params: Form): Promise<FastifyReply> => {
      const { identity, returnTo } = await portal.sessions.complete(request, reply, { code: one(params.code), state: one(params.state), iss: one(params.iss), error: one(params.error) })
      await portal.recordSignIn(identity)
      return await reply.redirect(returnTo, 303)
    }
    app.get<{ Querystring: Form }>('/portal/callback', {
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: { summary: 'The issuer sends the authorization code here (response_mode=query)', tags: ['portal'], querystring: { type: 'object', properties: callbackFields } }
    }, async (request, reply) => await completeSignIn(request, reply, request.query))
    app.post<{ Body: Form }>('/portal/callback', {
      // OIDC response_mode=form_post: the issuer's page posts the code here from its own origin.
      config: { policy: { caller: 'public' }, errors: 'page', crossSite: 'OIDC form_post: the issuer\'s page posts the authorization code (state-checked against the sign-in cookie)' },
      schema: { summary: 'The issuer posts the authorization code here (response_mode=form_post)', tags: ['portal'], body: { type: 'object', properties: callbackFields } }
    }, async (request, reply) => await completeSignIn(request, reply, request.body))

    // Open to anyone: signing out without a session does nothing. With one, the edge checks the form's CSRF token.
    app.post('/portal/logout', { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { summary: 'Sign out: ends this session on the server', tags: ['portal'] } }, async (request, reply) => {
      await portal.sessions.signOut(request, reply)
      return await reply.redirect('/portal', 303)
    })

    app.post('/portal/logout/everywhere', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'Sign out everywhere: ends every session of the learner, in every browser', tags: ['portal'] } }, async (request, reply) => {
      await portal.sessions.signOutEverywhere(learner(request))
      await portal.sessions.signOut(request, reply)
      return await reply.redirect('/portal', 303)
    })

    app.get('/portal/results', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'My results, with a status per source (page)', tags: ['portal'], querystring: langQuery, produces: ['text/html'] } }, async (request, reply) => {
      const lang = langOf(request)
      const identity = learner(request)
      const [outcome, foreign] = await Promise.all([
        portal.myResults(identity),
        portal.foreignResults(identity).then((imports) => ({ imports, failed: false }), (err: unknown) => {
          request.log.warn({ code: toLifelongError(err).code }, 'imported results could not be read')
          return { imports: [], failed: true }
        })
      ])
      return await html(reply, resultsPage(lang, signedIn(request, identity), outcome.sources, outcome.results, portal.init.shareMaxDays, osloDay(portal.now()), outcome.directoryError, { foreign: foreign.imports, foreignFailed: foreign.failed, entryPoints: portal.init.entryPoints }))
    })

    /** Checks that every picked key is a verified result of this learner, then creates the share. */
    const createShare = async (identity: LearnerIdentity, keys: string[], recipient: string, expiresAt: number, maxUses: number): Promise<{ shareId: string, code: string }> => {
      if (keys.length === 0) throw new LifelongError('invalid', 'SHARE_INVALID', 'pick at least one result')
      const wanted = groupKeys(keys)
      const outcome = await portal.fetcher.fetch([identity.subject], OWN_RESULTS, wanted)
      const mine = new Set(outcome.results.filter((r) => r.verification.ok && r.view?.status !== 'annulled').map((r) => r.key))
      const foreign = keys.filter((k) => !mine.has(k))
      if (foreign.length > 0) {
        const down = outcome.sources.some((s) => s.status !== 'ok')
        throw new LifelongError(down ? 'unavailable' : 'forbidden', down ? 'PORTAL_SOURCE_UNAVAILABLE' : 'PORTAL_NOT_YOUR_RESULT', down ? 'a source of the picked results did not answer: try again later' : 'you can share only your own verified results')
      }
      return await portal.shares.create(identity.subject, { results: keys.map((k) => ({ organisationNumber: k.slice(0, 9), resultId: k.slice(10) })), recipient, expiresAt, maxUses })
    }

    app.post<{ Body: Form }>('/portal/shares', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: { summary: 'Create a share of picked results (form)', tags: ['portal'], body: { type: 'object', properties: { result: stringOrList, recipient: { type: 'string', maxLength: 200 }, expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, maxUses: { type: 'string', pattern: '^\\d{1,4}$' } } } }
    }, async (request, reply) => {
      const identity = learner(request)
      const { shareId, code } = await createShare(identity, many(request.body.result), one(request.body.recipient), endOfDay(one(request.body.expires)), Number(one(request.body.maxUses) || '0'))
      return await html(reply, shareCreatedPage(langOf(request), signedIn(request, identity), `${portal.baseUrl()}/share/${shareId}`, code))
    })

    app.get('/portal/shares', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'My shares and every opening (page)', tags: ['portal'], querystring: langQuery, produces: ['text/html'] } }, async (request, reply) => {
      const identity = learner(request)
      return await html(reply, sharesPage(langOf(request), signedIn(request, identity), await portal.shares.list(identity.subject), portal.baseUrl()))
    })

    app.post<{ Params: { id: string } }>('/portal/shares/:id/revoke', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'Revoke a share (form)', tags: ['portal'], params: shareParams } }, async (request, reply) => {
      await portal.shares.revoke(learner(request).subject, request.params.id)
      return await reply.redirect('/portal/shares', 303)
    })

    /** Who read the learner's data: the sources' access logs and the openings of the learner's shares. */
    const accessRows = async (identity: LearnerIdentity, lang: Lang): Promise<{ rows: AccessRow[], failed: string[] }> => {
      const sources = await portal.directory.find(identity.subject, ACCESS_LOG).catch(() => [])
      const [logs, index] = await Promise.all([
        portal.fetcher.accessLogs(identity.subject, sources, ACCESS_LOG),
        portal.indexAccess(identity.subject).then((rows) => ({ rows, failed: false }), () => ({ rows: [], failed: true }))
      ])
      if (index.failed) logs.failed.push(lang === 'en' ? 'the national index' : 'den nasjonale indeksen')
      const bridged = await portal.bridgeAccess(identity).catch(() => [])
      const rows: AccessRow[] = [...index.rows, ...bridged.map((b) => ({ at: b.at, who: b.organisation, what: b.operation, purpose: b.purpose, legalBasis: b.legalBasis }))]
      rows.push(...logs.rows.map((r) => ({ at: Number(r.atMs), who: r.organisationName || r.organisationNumber || '', what: `${r.operation ?? ''} @ ${r.source}${r.results ? ` (${r.results})` : ''}`, purpose: r.purpose ?? '', legalBasis: r.legalBasis ?? '' })))
      for (const s of await portal.shares.list(identity.subject)) {
        for (const o of s.openings) rows.push({ at: o.at, who: s.recipient, what: `${lang === 'en' ? 'share' : 'deling'}: ${o.outcome}${o.useNumber > 0 ? ` #${o.useNumber}` : ''}`, purpose: SHARE_VIEW.purpose, legalBasis: SHARE_VIEW.legalBasis })
      }
      rows.sort((a, b) => b.at - a.at)
      return { rows, failed: logs.failed }
    }

    app.get('/portal/access', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'Who saw my data (page)', tags: ['portal'], querystring: langQuery, produces: ['text/html'] } }, async (request, reply) => {
      const lang = langOf(request)
      const identity = learner(request)
      const { rows, failed } = await accessRows(identity, lang)
      return await html(reply, accessPage(lang, signedIn(request, identity), rows, failed))
    })

    // ------------------------------------------------------------------ the employer's side

    app.get<{ Params: { id: string } }>('/share/:id', { config: { policy: { caller: 'share-holder' }, errors: 'page' }, schema: { summary: 'A share: asks for the access code (page)', tags: ['portal'], params: shareParams, querystring: langQuery, produces: ['text/html'] } }, async (request, reply) => {
      return await html(reply, shareCodePage(langOf(request), request.params.id, undefined, request.csrfToken))
    })

    /** Opens a share and fetches its results again from their sources, verified. */
    const openShare = async (id: string, code: string, via: 'web' | 'bundle'): Promise<{ opened: Awaited<ReturnType<typeof portal.shares.open>>, sources: Awaited<ReturnType<typeof portal.fetcher.fetch>>['sources'], results: PortalResult[] }> => {
      const opened = await portal.shares.open(id, code, via)
      const only = groupKeys(opened.results.map((r) => `${r.organisationNumber}:${r.resultId}`))
      const outcome = await portal.fetcher.fetch([opened.owner], SHARE_VIEW, only)
      const order = new Map(opened.results.map((r, i) => [`${r.organisationNumber}:${r.resultId}`, i]))
      const results = outcome.results.filter((r) => order.has(r.key)).sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0))
      return { opened, sources: outcome.sources, results }
    }

    const bundlesOf = (results: readonly PortalResult[]): unknown => ({
      format: BUNDLE_SET_FORMAT,
      bundles: results.filter((r) => r.verification.ok).map((r) => {
        const member = portal.fetcherMember(r.source.peerId)
        return resultBundle(r.served, r.checkpoint, r.verification.ok ? r.verification.checkpointSize : 0, logOriginOf(portal.init.federationId, r.source.peerId), member, r.witnesses, portal.init.federationId, portal.manifestEnvelope(), portal.now())
      })
    })

    app.post<{ Params: { id: string }, Body: Form }>('/share/:id', {
      config: { policy: { caller: 'share-holder' }, errors: 'page', limit: 'shareOpen' },
      schema: { summary: 'Open a share with its access code (page)', tags: ['portal'], params: shareParams, querystring: langQuery, body: { type: 'object', properties: { code: { type: 'string', maxLength: 40 } } } }
    }, async (request, reply) => {
      const lang = langOf(request)
      try {
        const { opened, sources, results } = await openShare(request.params.id, one(request.body.code), 'web')
        const first = results.find((r) => r.verification.ok)?.view?.subject
        const owner = first === undefined ? { name: '' } : { name: `${first.givenNames} ${first.familyName}`, ...(first.birthDate === undefined ? {} : { birthDate: first.birthDate }) }
        const proofJson = Buffer.from(JSON.stringify(bundlesOf(results), null, 2))
        const bundle = `data:application/json;base64,${proofJson.toString('base64')}`
        const pdfBytes = await transcriptPdf({ lang, owner, recipient: opened.recipient, openedAt: portal.now(), results, proofSha256: createHash('sha256').update(proofJson).digest('hex') })
        const pdf = `data:application/pdf;base64,${Buffer.from(pdfBytes).toString('base64')}`
        return await html(reply, shareViewPage(lang, request.params.id, owner, sources, results, { bundle, pdf, anchor: `${portal.baseUrl()}${TRUST_ANCHOR_PATH}` }))
      } catch (err) {
        const e = toLifelongError(err)
        if (e.kind === 'internal') throw err
        return await html(reply.header('x-error-code', e.code), shareCodePage(lang, request.params.id, { code: e.code, message: e.message }, request.csrfToken), HTTP_STATUS[e.kind])
      }
    })

    // ------------------------------------------------------------------ JSON API

    const resultJson = (r: PortalResult): unknown => ({
      key: r.key,
      source: r.source,
      verified: r.verification.ok,
      ...(r.verification.ok ? { checkpointSize: r.verification.checkpointSize, logIndex: r.verification.logIndex, witnesses: r.verification.witnesses } : { code: r.verification.code, reason: r.verification.message }),
      ...(r.heldBy === undefined ? {} : { heldBy: r.heldBy }),
      ...(r.view === undefined ? {} : { result: r.view })
    })
    const anyObject = { type: 'object', additionalProperties: true } as const
    const outcomeSchema = { type: 'object', properties: { sources: { type: 'array', items: anyObject }, results: { type: 'array', items: anyObject }, imported: { type: 'array', items: anyObject }, directoryError: { type: 'string' } } } as const
    const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 410: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } }

    app.get('/portal/api/session', {
      config: { policy: { caller: 'learner' } },
      schema: { summary: 'The signed-in learner (bearer token or session cookie); with the cookie, the session\'s CSRF token for the X-CSRF-Token header of state-changing requests', tags: ['portal'], response: { 200: { type: 'object', properties: { givenNames: { type: 'string' }, familyName: { type: 'string' }, birthDate: { type: 'string' }, scheme: { type: 'string' }, expiresAt: { type: 'integer' }, csrfToken: { type: 'string' } } }, ...errors } }
    }, async (request, reply) => {
      const i = learner(request)
      void reply.header('cache-control', 'no-store')
      // The identifier itself is not echoed: the client has it in its token or session.
      return { givenNames: i.givenNames, familyName: i.familyName, ...(i.birthDate === undefined ? {} : { birthDate: i.birthDate }), scheme: i.subject.scheme, expiresAt: i.expiresAt, ...(request.csrfToken === undefined ? {} : { csrfToken: request.csrfToken }) }
    })

    app.post('/portal/api/sessions/end-all', {
      config: { policy: { caller: 'learner' } },
      schema: { summary: 'Sign out everywhere: ends every session of the learner, in every browser (an ID token used as bearer stays valid until it expires)', tags: ['portal'], response: { 200: { type: 'object', properties: { ended: { type: 'integer' } } }, ...errors } }
    }, async (request, reply) => {
      const ended = await portal.sessions.signOutEverywhere(learner(request))
      await portal.sessions.signOut(request, reply)
      return { ended }
    })

    app.get('/portal/api/results', { config: { policy: { caller: 'learner' } }, schema: { summary: 'My results, verified, with a status per source; and, apart from them, results imported from abroad (EMREX)', tags: ['portal'], response: { 200: outcomeSchema, ...errors } } }, async (request) => {
      const identity = learner(request)
      const [outcome, imported] = await Promise.all([portal.myResults(identity), portal.foreignResults(identity)])
      return { sources: outcome.sources, results: outcome.results.map(resultJson), imported, ...(outcome.directoryError === undefined ? {} : { directoryError: outcome.directoryError }) }
    })

    app.post<{ Body: { results: string[] } }>('/portal/api/transfer', {
      config: { policy: { caller: 'learner' } },
      schema: { summary: 'The bridges\' view (LearnerResults) of picked results of the signed-in learner', tags: ['portal'], body: { type: 'object', required: ['results'], additionalProperties: false, properties: { results: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', maxLength: 40 } } } }, response: { 200: anyObject, ...errors } }
    }, async (request) => await portal.verifiedResultsFor(learner(request), request.body.results))

    app.post<{ Body: { results: string[], recipient: string, expiresAt: string, maxUses?: number } }>('/portal/api/shares', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'Create a share of picked results; the access code is in this answer only',
        tags: ['portal'],
        body: { type: 'object', required: ['results', 'recipient', 'expiresAt'], additionalProperties: false, properties: { results: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', maxLength: 40 } }, recipient: { type: 'string', minLength: 1, maxLength: 200 }, expiresAt: { type: 'string', format: 'date-time' }, maxUses: { type: 'integer', minimum: 0, maximum: 1000 } } },
        response: { 200: { type: 'object', properties: { shareId: { type: 'string' }, code: { type: 'string' }, url: { type: 'string' } } }, ...errors }
      }
    }, async (request) => {
      const identity = learner(request)
      const { shareId, code } = await createShare(identity, request.body.results, request.body.recipient, Date.parse(request.body.expiresAt), request.body.maxUses ?? 0)
      return { shareId, code, url: `${portal.baseUrl()}/share/${shareId}` }
    })

    app.get('/portal/api/shares', { config: { policy: { caller: 'learner' } }, schema: { summary: 'My shares and every opening', tags: ['portal'], response: { 200: { type: 'array', items: anyObject }, ...errors } } }, async (request) => {
      return await portal.shares.list(learner(request).subject)
    })

    app.post<{ Params: { id: string } }>('/portal/api/shares/:id/revoke', { config: { policy: { caller: 'learner' } }, schema: { summary: 'Revoke a share', tags: ['portal'], params: shareParams, response: { 204: { type: 'null' }, ...errors } } }, async (request, reply) => {
      await portal.shares.revoke(learner(request).subject, request.params.id)
      return await reply.status(204).send()
    })

    app.get('/portal/api/access', { config: { policy: { caller: 'learner' } }, schema: { summary: 'Who read my data', tags: ['portal'], response: { 200: { type: 'object', properties: { rows: { type: 'array', items: anyObject }, failed: { type: 'array', items: { type: 'string' } } } }, ...errors } } }, async (request) => {
      return await accessRows(learner(request), 'en')
    })

    app.post<{ Params: { id: string }, Body: { code: string } }>('/share/:id/open', {
      config: { policy: { caller: 'share-holder' }, limit: 'shareOpen' },
      schema: { summary: 'Open a share with its code: the results, verified, and their proof bundles', tags: ['portal'], params: shareParams, body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', maxLength: 40 } } }, response: { 200: anyObject, ...errors } }
    }, async (request) => {
      const { opened, sources, results } = await openShare(request.params.id, request.body.code, 'bundle')
      return { recipient: opened.recipient, useNumber: opened.useNumber, expiresAt: new Date(opened.expiresAt).toISOString(), sources, results: results.map(resultJson), proofs: bundlesOf(results) }
    })

    // ------------------------------------------------------------------ development issuer

    const dev = portal.devIssuer
    if (dev === undefined) return
    app.get('/dev-oidc/.well-known/openid-configuration', { config: { policy: { caller: 'development' } }, schema: { summary: 'Development issuer: discovery (test and demo federations only)', tags: ['dev-oidc'] } }, async () => {
      const issuer = `${portal.baseUrl()}/dev-oidc`
      return {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks.json`,
        response_types_supported: ['code'],
        response_modes_supported: ['query', 'form_post'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        authorization_response_iss_parameter_supported: true,
        scopes_supported: ['openid', 'profile'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['Ed25519', 'EdDSA'],
        claims_supported: ['sub', 'pid', 'education_id', 'given_name', 'family_name', 'birthdate']
      }
    })
    app.get('/dev-oidc/jwks.json', { config: { policy: { caller: 'development' } }, schema: { summary: 'Development issuer: its keys', tags: ['dev-oidc'] } }, async () => dev.jwks())

    /** The authorization request's parameters that the sample-learner form carries on. */
    const AUTHORIZE_PARAMS = ['client_id', 'redirect_uri', 'state', 'nonce', 'response_type', 'response_mode', 'code_challenge', 'code_challenge_method'] as const
    type AuthorizeRequest = Record<typeof AUTHORIZE_PARAMS[number], string>
    const authorizeQuery = { type: 'object', required: ['client_id', 'redirect_uri', 'state', 'nonce'], properties: { client_id: { type: 'string', maxLength: 100 }, redirect_uri: { type: 'string', maxLength: 500 }, state: { type: 'string', maxLength: 200 }, nonce: { type: 'string', maxLength: 200 }, response_type: { type: 'string', maxLength: 50 }, response_mode: { type: 'string', maxLength: 50 }, code_challenge: { type: 'string', maxLength: 200 }, code_challenge_method: { type: 'string', maxLength: 20 }, scope: { type: 'string', maxLength: 200 }, lang: { type: 'string' } } } as const
    const issuerUrl = (): string => `${portal.baseUrl()}/dev-oidc`
    const checkClient = (q: { client_id: string, redirect_uri: string }): void => {
      if (q.client_id !== DEV_AUDIENCE || q.redirect_uri !== `${portal.baseUrl()}/portal/callback`) throw new LifelongError('invalid', 'AUTH_UNKNOWN_CLIENT', 'the development issuer signs in to this portal only')
    }
    /** Sends the answer back to the client: a form post or a redirect with a query (the default). */
    const answer = async (reply: FastifyReply, q: AuthorizeRequest, fields: Record<string, string>): Promise<FastifyReply> => {
      const all = { ...fields, state: q.state, iss: issuerUrl() }
      if (q.response_mode === 'form_post') {
        // The page posts itself to the client with one nonce'd script; the form goes there only.
        const nonce = randomBytes(16).toString('base64')
        const csp = `${Object.entries({ ...PAGE_CSP, 'script-src': [`'nonce-${nonce}'`], 'form-action': [new URL(q.redirect_uri).origin] }).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ')}`
        return await html(reply.header('content-security-policy', csp), formPostPage(q.redirect_uri, all, nonce))
      }
      const to = new URL(q.redirect_uri)
      for (const [k, v] of Object.entries(all)) to.searchParams.set(k, v)
      return await reply.header('cache-control', 'no-store').redirect(to.toString(), 303)
    }
    /** What is wrong with an authorization request of a known client (RFC 6749 §4.1.2.1), if anything. */
    const problemOf = (q: AuthorizeRequest): { error: string, error_description: string } | undefined => {
      if (q.response_type !== 'code') return { error: 'unsupported_response_type', error_description: 'only response_type=code (authorization code flow with PKCE)' }
      if (q.response_mode !== '' && q.response_mode !== 'query' && q.response_mode !== 'form_post') return { error: 'invalid_request', error_description: 'response_mode must be query or form_post' }
      if (q.code_challenge === '') return { error: 'invalid_request', error_description: 'a code_challenge (PKCE) is required' }
      if (q.code_challenge_method !== 'S256') return { error: 'invalid_request', error_description: 'code_challenge_method must be S256' }
      if (!PKCE_CHALLENGE.test(q.code_challenge)) return { error: 'invalid_request', error_description: 'code_challenge is not an S256 challenge' }
      return undefined
    }
    const requestOf = (source: Form): AuthorizeRequest => Object.fromEntries(AUTHORIZE_PARAMS.map((k) => [k, one(source[k])])) as AuthorizeRequest

    app.get<{ Querystring: Form }>('/dev-oidc/authorize', {
      config: { policy: { caller: 'development' }, errors: 'page' },
      schema: { summary: 'Development issuer: choose a sample learner (page)', tags: ['dev-oidc'], querystring: authorizeQuery, produces: ['text/html'] }
    }, async (request, reply) => {
      const q = requestOf(request.query)
      checkClient(q)
      const problem = problemOf(q)
      if (problem !== undefined) return await answer(reply, q, problem)
      return await html(reply, devIssuerPage(langOf(request), dev.init.learners, Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''))))
    })
    app.post<{ Body: Form }>('/dev-oidc/authorize', {
      config: { policy: { caller: 'development' }, errors: 'page', crossSite: 'development issuer: stands for an identity provider on its own origin; its form carries the authorization request, not a portal session' },
      schema: { summary: 'Development issuer: sign in as the chosen sample learner (sends a code back)', tags: ['dev-oidc'], body: { type: 'object', properties: { learner: { type: 'string', pattern: '^\\d{1,3}$' }, ...authorizeQuery.properties } } }
    }, async (request, reply) => {
      const q = requestOf(request.body)
      checkClient(q)
      const problem = problemOf(q)
      if (problem !== undefined) return await answer(reply, q, problem)
      const code = dev.issueCode({ clientId: q.client_id, redirectUri: q.redirect_uri, nonce: q.nonce, learner: Number(one(request.body.learner)), codeChallenge: q.code_challenge })
      return await answer(reply, q, { code })
    })
    app.post<{ Body: Form }>('/dev-oidc/token', {
      config: { policy: { caller: 'development' }, errors: 'oauth' },
      schema: { summary: 'Development issuer: exchange a code and its PKCE verifier for an ID token', tags: ['dev-oidc'] }
    }, async (request, reply) => {
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      const form = (request.body ?? {}) as Form
      const field = (k: string): string | undefined => form[k] === undefined ? undefined : one(form[k])
      // A TokenEndpointError is an OAuthError: the one error handler renders it (errors: 'oauth').
      return await dev.redeem({ grant_type: field('grant_type'), code: field('code'), redirect_uri: field('redirect_uri'), client_id: field('client_id'), code_verifier: field('code_verifier') }, DEV_AUDIENCE)
    })
  }
}
