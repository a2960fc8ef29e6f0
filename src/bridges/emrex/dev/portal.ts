/**
 * DEVELOPMENT ONLY. A stand-in for the portal's sign-in, results and access log, used when
 * `emrex.developmentSignIn` is true (the local federation and tests) until the portal's OIDC
 * sign-in and fan-out are wired in: a page lists sample learners and signs the browser in as the
 * one picked (an HMAC-protected cookie, key random per start). Every page says it is for
 * development. Results come from the sample data given to it, not from the federation.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { LifelongError } from '../../../errors.ts'
import type { LearnerResults } from '../../model.ts'
import { devAccessKey, devAccessRange } from '../keys.ts'
import { escapeHtml } from '../pages.ts'
import type { EmrexAccess, EmrexLearner, EmrexPortal } from '../portal.ts'
import { jsonBytes, type EmrexStore } from '../store.ts'
import { parseCookies, registerFormParser, sendPage } from '../http.ts'

export interface DevelopmentLearner {
  readonly learner: EmrexLearner
  readonly results: LearnerResults
}

export interface DevelopmentPortalInit {
  /** The portal's name ("Vitnemålsportalen (development)"). */
  name: string
  /** Distinguishes this portal's cookie from another development portal on the same host. */
  cookieSuffix: string
  learners: readonly DevelopmentLearner[]
  secureCookies: boolean
}

/** Only same-site paths may be returned to after sign-in. */
export function safeReturnPath (value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\x21-\x7e]*$/.test(value) && !value.includes('\\') ? value : '/emrex/import'
}

export class DevelopmentPortal implements EmrexPortal {
  readonly name: string
  readonly routes: FastifyPluginAsync
  private readonly store: EmrexStore
  private readonly init: DevelopmentPortalInit
  private readonly key = randomBytes(32)
  private readonly byId: Map<string, DevelopmentLearner>
  private readonly cookie: string

  constructor (components: { store: EmrexStore }, init: DevelopmentPortalInit) {
    this.store = components.store
    this.init = init
    this.name = init.name
    this.cookie = `emrex_dev_${init.cookieSuffix}`
    this.byId = new Map(init.learners.map((l) => [l.learner.learnerId, l]))
    this.routes = this.buildRoutes()
  }

  private mac (learnerId: string): string {
    return createHmac('sha256', this.key).update(learnerId).digest('base64url')
  }

  async currentLearner (request: FastifyRequest): Promise<EmrexLearner | undefined> {
    const value = parseCookies(request.headers.cookie)[this.cookie]
    if (value === undefined) return undefined
    const dot = value.lastIndexOf('.')
    const id = value.slice(0, dot)
    const mac = Buffer.from(value.slice(dot + 1))
    const expected = Buffer.from(this.mac(id))
    if (dot < 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined
    return this.byId.get(id)?.learner
  }

  signInPath (returnTo: string): string {
    return `/emrex/dev/sign-in?returnTo=${encodeURIComponent(returnTo)}`
  }

  async learnerResults (learner: EmrexLearner): Promise<LearnerResults> {
    const found = this.byId.get(learner.learnerId)
    if (found === undefined) throw new LifelongError('not-found', 'LEARNER_UNKNOWN', 'no such development learner')
    return found.results
  }

  async recordAccess (learner: EmrexLearner, access: EmrexAccess): Promise<void> {
    await this.store.record([{ key: devAccessKey(learner.learnerId, access.at, access.transferId), value: jsonBytes(access) }])
  }

  /** The learner's access log entries (development portal). */
  async accessLog (learnerId: string): Promise<EmrexAccess[]> {
    return await this.store.listJson<EmrexAccess>(devAccessRange(learnerId))
  }

  private buildRoutes (): FastifyPluginAsync {
    return async (app) => {
      registerFormParser(app, 64 * 1024)
      app.get('/emrex/dev/sign-in', {
        schema: { hide: true, querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 2048 } } } }
      }, async (request, reply) => {
        const returnTo = safeReturnPath((request.query as { returnTo?: string }).returnTo)
        const options = this.init.learners.map((l, i) => `<div><input type="radio" name="learnerId" id="l${i}" value="${escapeHtml(l.learner.learnerId)}"${i === 0 ? ' checked' : ''}> <label for="l${i}">${escapeHtml(`${l.learner.givenNames} ${l.learner.familyName}`)}</label></div>`).join('')
        return await sendPage(reply, 200, {
          csp: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
          html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title></head><body><main>
<p role="alert"><strong>DEVELOPMENT SIGN-IN — not for production.</strong> ${escapeHtml(this.name)} stands in for the real sign-in (ID-porten/Feide) with sample learners.</p>
<h1>Sign in to ${escapeHtml(this.name)}</h1>
<form method="post" action="/emrex/dev/sign-in"><fieldset><legend>Sample learner</legend>${options}</fieldset><input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}"><button type="submit">Sign in (development)</button></form></main></body></html>`
        })
      })
      app.post('/emrex/dev/sign-in', {
        schema: { hide: true, body: { type: 'object', properties: { learnerId: { type: 'string', maxLength: 200 }, returnTo: { type: 'string', maxLength: 2048 } } } }
      }, async (request, reply) => {
        const body = request.body as { learnerId?: string, returnTo?: string }
        if (body.learnerId === undefined || !this.byId.has(body.learnerId)) throw new LifelongError('invalid', 'LEARNER_UNKNOWN', 'no such development learner')
        const secure = this.init.secureCookies ? '; Secure' : ''
        void reply.header('set-cookie', `${this.cookie}=${body.learnerId}.${this.mac(body.learnerId)}; Path=/; HttpOnly; SameSite=Lax${secure}`)
        return await reply.redirect(safeReturnPath(body.returnTo), 303)
      })
      app.get('/emrex/dev/access-log', {
        schema: { hide: true }
      }, async (request) => {
        const learner = await this.currentLearner(request)
        if (learner === undefined) throw new LifelongError('unauthenticated', 'NOT_SIGNED_IN', 'sign in first')
        return { entries: await this.accessLog(learner.learnerId) }
      })
    }
  }
}

/** The portal when no sign-in is wired: EMREX flows that need a learner answer 503. */
export function unavailablePortal (name: string): EmrexPortal {
  const unavailable = (): never => { throw new LifelongError('unavailable', 'EMREX_PORTAL_UNAVAILABLE', 'learner sign-in is not available on this node yet') }
  return {
    name,
    currentLearner: async () => undefined,
    signInPath: unavailable,
    learnerResults: async () => unavailable(),
    recordAccess: async () => unavailable()
  }
}
