/**
 * DEVELOPMENT ONLY, and only for the simulated FOREIGN EMREX node of the local federation
 * (dev/foreign.ts, "Uppsala"): a stand-in for that foreign university's own sign-in, results and
 * access log, behind the same bridge ports (src/services/bridges/ports.ts) that the Norwegian portal
 * implements for real. A page lists sample learners and signs the browser in as the one picked
 * (an HMAC-protected cookie, key random per start). Every page says it is for development.
 * Results come from the sample data given to it, not from a federation. The Norwegian portal
 * never uses this: it signs learners in with its OIDC sign-in and reads verified results.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import type { AccessEntry, AccessLog, LearnerSessions, SignedInLearner, VerifiedResults } from '../../services/bridges/ports.ts'
import { escapeHtml } from '../../edges/ui/html.ts'
import { jsonBytes, type EmrexStore } from '../../services/bridges/emrex/store.ts'
import { sendPage } from '../../edges/bridges/emrex/http.ts'
import type { Authenticators } from '../../edges/http/edge.ts'
import type { DevelopmentLearner } from '../../services/bridges/emrex/dev-learners.ts'

export type { DevelopmentLearner } from '../../services/bridges/emrex/dev-learners.ts'

/** How the development stand-in is set up. */
export interface DevelopmentPortalInit {
  /** The node's name ("Uppsala universitet (development)"). */
  name: string
  /** Distinguishes this node's cookie from other nodes on the same host (cookies ignore ports). */
  cookieSuffix: string
  learners: readonly DevelopmentLearner[]
  secureCookies: boolean
}

const enc = (part: string): string => encodeURIComponent(part)
/** The development node's access log of a learner. */
const accessKey = (learnerId: string, at: number, reference: string): string => `emrex/dev-access/${enc(learnerId)}/${String(at).padStart(15, '0')}/${enc(reference)}`
const accessRange = (learnerId: string): { gt: string, lt: string } => ({ gt: `emrex/dev-access/${enc(learnerId)}/`, lt: `emrex/dev-access/${enc(learnerId)}/\xff` })

/** Only same-site paths may be returned to after sign-in. */
export function safeReturnPath (value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\x21-\x7e]*$/.test(value) && !value.includes('\\') ? value : '/emrex/import'
}

/** The simulated foreign node's sign-in, results and access log, behind the bridge ports. */
export class DevelopmentPortal {
  readonly name: string
  readonly routes: FastifyPluginAsync
  readonly sessions: LearnerSessions
  readonly results: VerifiedResults
  readonly accessLog: AccessLog & { list: (learnerId: string) => Promise<AccessEntry[]> }
  private readonly init: DevelopmentPortalInit
  private readonly key = randomBytes(32)
  private readonly byId: Map<string, DevelopmentLearner>
  private readonly cookie: string

  constructor (components: { store: EmrexStore }, init: DevelopmentPortalInit) {
    this.init = init
    this.name = init.name
    this.cookie = `emrex_dev_${init.cookieSuffix}`
    this.byId = new Map(init.learners.map((l) => [l.learner.learnerId, l]))
    this.routes = this.buildRoutes()
    this.sessions = {
      learnerOf: async (request) => await this.currentLearner(request),
      requireSignIn: async (_request: FastifyRequest, reply: FastifyReply, returnTo: string) => { await reply.redirect(`/emrex/dev/sign-in?returnTo=${encodeURIComponent(returnTo)}`, 303) }
    }
    this.results = {
      forLearner: async (learnerId) => {
        const found = this.byId.get(learnerId)
        if (found === undefined) throw new LifelongError('not-found', 'DEMO_LEARNER_UNKNOWN', 'no such development learner')
        return found.results
      }
    }
    const store = components.store
    this.accessLog = {
      async record (learnerId, entry) {
        await store.record([{ key: accessKey(learnerId, entry.at, entry.reference), value: jsonBytes(entry) }])
      },
      async list (learnerId) {
        return await store.listJson<AccessEntry>(accessRange(learnerId))
      }
    }
  }

  /** The HTTP edge's learner authenticator of the stand-in node: its development sign-in cookie. */
  get authenticators (): Authenticators {
    return {
      learner: [async (request) => {
        const learner = await this.currentLearner(request)
        return learner === undefined ? undefined : { kind: 'learner', subject: learner.learnerId, issuer: 'development' }
      }]
    }
  }

  private mac (learnerId: string): string {
    return createHmac('sha256', this.key).update(learnerId).digest('base64url')
  }

  private async currentLearner (request: FastifyRequest): Promise<SignedInLearner | undefined> {
    const value = request.cookies[this.cookie]
    if (value === undefined) return undefined
    const dot = value.lastIndexOf('.')
    const id = value.slice(0, dot)
    const mac = Buffer.from(value.slice(dot + 1))
    const expected = Buffer.from(this.mac(id))
    if (dot < 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined
    return this.byId.get(id)?.learner
  }

  private buildRoutes (): FastifyPluginAsync {
    return async (app) => {
      app.get('/emrex/dev/sign-in', {
        config: { policy: { caller: 'development' }, errors: 'page' },
        schema: { hide: true, querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 2048 } } } }
      }, async (request, reply) => {
        const returnTo = safeReturnPath((request.query as { returnTo?: string }).returnTo)
        const options = this.init.learners.map((l, i) => `<div><input type="radio" name="learnerId" id="l${i}" value="${escapeHtml(l.learner.learnerId)}"${i === 0 ? ' checked' : ''}> <label for="l${i}">${escapeHtml(`${l.learner.givenNames} ${l.learner.familyName}`)}</label></div>`).join('')
        return await sendPage(reply, 200, {
          csp: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
          html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title></head><body><main>
<p role="alert"><strong>DEVELOPMENT SIGN-IN — not for production.</strong> ${escapeHtml(this.name)} is a simulated foreign EMREX node with sample learners.</p>
<h1>Sign in to ${escapeHtml(this.name)}</h1>
<form method="post" action="/emrex/dev/sign-in"><fieldset><legend>Sample learner</legend>${options}</fieldset><input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}"><button type="submit">Sign in (development)</button></form></main></body></html>`
        })
      })
      app.post('/emrex/dev/sign-in', {
        config: { policy: { caller: 'development' }, errors: 'page' },
        schema: { hide: true, body: { type: 'object', properties: { learnerId: { type: 'string', maxLength: 200 }, returnTo: { type: 'string', maxLength: 2048 } } } }
      }, async (request, reply) => {
        const body = request.body as { learnerId?: string, returnTo?: string }
        if (body.learnerId === undefined || !this.byId.has(body.learnerId)) throw new LifelongError('invalid', 'DEMO_LEARNER_UNKNOWN', 'no such development learner')
        const secure = this.init.secureCookies ? '; Secure' : ''
        void reply.header('set-cookie', `${this.cookie}=${body.learnerId}.${this.mac(body.learnerId)}; Path=/; HttpOnly; SameSite=Lax${secure}`)
        return await reply.redirect(safeReturnPath(body.returnTo), 303)
      })
      app.get('/emrex/dev/access-log', {
        config: { policy: { caller: 'learner' } },
        schema: { hide: true }
      }, async (request) => {
        const learner = await this.currentLearner(request)
        if (learner === undefined) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in first')
        return { entries: await this.accessLog.list(learner.learnerId) }
      })
    }
  }
}
