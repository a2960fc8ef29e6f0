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
import { sendShellPage } from '../../edges/ui/shell.ts'
import { langOf, type ByLang } from '../../edges/ui/lang.ts'
import type { Site } from '../../edges/ui/site.ts'
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
export const SIGN_IN_TEXTS: ByLang<{ title: (name: string) => string, warning: string, explain: (name: string) => string, learner: string, signIn: string }> = {
  nb: {
    title: (n) => `Logg inn hos ${n}`,
    warning: 'UTVIKLINGSINNLOGGING – ikke for ekte bruk.',
    explain: (n) => `${n} er et simulert utenlandsk EMREX-lærested med eksempelpersoner.`,
    learner: 'Eksempelperson',
    signIn: 'Logg inn (utvikling)'
  },
  nn: {
    title: (n) => `Logg inn hos ${n}`,
    warning: 'UTVIKLINGSINNLOGGING – ikkje for ekte bruk.',
    explain: (n) => `${n} er ein simulert utanlandsk EMREX-lærestad med eksempelpersonar.`,
    learner: 'Eksempelperson',
    signIn: 'Logg inn (utvikling)'
  },
  en: { title: (n) => `Sign in to ${n}`, warning: 'DEVELOPMENT SIGN-IN — not for production.', explain: (n) => `${n} is a simulated foreign EMREX node with sample learners.`, learner: 'Sample learner', signIn: 'Sign in (development)' }
}

/** The site of a simulated foreign EMREX node: its name, no navigation, marked as development. */
export function foreignSite (name: string): Site {
  return { name: { nb: name, nn: name, en: name }, home: '/', nav: [], development: true }
}

function safeReturnPath (value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\x21-\x7e]*$/.test(value) && !value.includes('\\') ? value : '/emrex/import'
}

/** The simulated foreign node's sign-in, results and access log, behind the bridge ports. */
export class DevelopmentPortal {
  readonly name: string
  /** The site its pages are drawn in. */
  readonly site: Site
  readonly routes: FastifyPluginAsync
  readonly sessions: LearnerSessions
  readonly results: VerifiedResults
  readonly accessLog: AccessLog & { list: (learnerId: string) => Promise<AccessEntry[]> }
  private readonly init: DevelopmentPortalInit
  private readonly key = randomBytes(32)
  private readonly byId: Map<string, DevelopmentLearner>
  private readonly cookie: string

  constructor (components: { store: EmrexStore }, init: DevelopmentPortalInit) {
    this.site = foreignSite(init.name)
    this.init = init
    this.name = init.name
    this.cookie = `emrex_dev_${init.cookieSuffix}`
    this.byId = new Map(init.learners.map((l) => [l.learner.learnerId, l]))
    this.routes = this.buildRoutes()
    this.sessions = {
      learnerOf: async (request) => await this.currentLearner(request),
      requireSignIn: async (_request: FastifyRequest, reply: FastifyReply, returnTo: string) => {
        await reply.redirect(`/emrex/dev/sign-in?returnTo=${encodeURIComponent(returnTo)}`, 303)
      }
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
        const lang = langOf(request)
        const t = SIGN_IN_TEXTS[lang]
        const options = this.init.learners.map((l, i) =>
          `<div class="field"><input type="radio" name="learnerId" id="l${i}" value="${escapeHtml(l.learner.learnerId)}"${i === 0 ? ' checked' : ''}><label for="l${i}">${
            escapeHtml(`${l.learner.givenNames} ${l.learner.familyName}`)
          }</label></div>`
        ).join('')
        return await sendShellPage(reply, {
          lang,
          title: t.title(this.name),
          here: request.url,
          site: this.site,
          body: `<div class="dev" role="note"><p><strong>${escapeHtml(t.warning)}</strong> ${escapeHtml(t.explain(this.name))}</p></div>
<form method="post" action="/emrex/dev/sign-in"><fieldset><legend>${escapeHtml(t.learner)}</legend>${options}</fieldset><input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}"><p><button type="submit">${
  escapeHtml(t.signIn)
}</button></p></form>`
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
