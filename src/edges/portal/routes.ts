/**
 * The portal's HTTP routes: the learner's pages (sign-in, my results, shares, who saw my data),
 * the employer's share pages and the proof checker, a JSON API for the same, and — in test and
 * demo federations only — the development OIDC issuer. Forms post
 * `application/x-www-form-urlencoded`; national IDs never travel in a URL (the learner is the
 * token's subject, a share is an opaque ID). Pages are drawn in the one shell
 * (src/edges/ui/shell.ts) in the reader's language; a form with a mistake is shown again with
 * what was typed and the message at the field.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import { HTTP_STATUS } from '../http/errors.ts'
import { PAGE_CSP } from '../http/security-headers.ts'
import { resultBundle, BUNDLE_SET_FORMAT } from '../../services/registry/results/bundle.ts'
import { TRUST_ANCHOR_PATH } from '../../core/federation/anchor.ts'
import { logOriginOf } from '../../services/registry/results/verify.ts'
import { osloDay } from '../../services/registry/results/model.ts'
import { accessPage, devIssuerPage, formPostPage, landingPage, resultsPage, revokeConfirmPage, shareCodePage, shareCreatedPage, sharesPage, shareViewPage, type ShareForm, type SignedIn } from './pages.ts'
import { verifierPage } from './verifier-page.ts'
import { accessEvents, accessQuery, pageOfEvents, type AccessRow } from './access.ts'
import { ACCESS_TEXTS } from './access-texts.ts'
import { TEXTS } from './i18n.ts'
import { createHash, randomBytes } from 'node:crypto'
import type { TranscriptSigner } from './pdf.ts'
import type { FetchOutcome, PortalResult } from '../../services/portal/fetch.ts'
import { PKCE_CHALLENGE, type LearnerIdentity } from '../../services/portal/oidc.ts'
import { ACCESS_LOG, OWN_RESULTS, SHARE_VIEW, groupKeys, type PortalModule } from '../../services/portal/module.ts'
import type { OpenedShare } from '../../services/portal/shares.ts'
import { ShareVisits } from '../../services/portal/share-visits.ts'
import { isLang, langOf, type Lang } from '../ui/lang.ts'
import { sendPage } from '../ui/shell.ts'
import { explainError } from '../ui/texts.ts'
import { uiAssetRoutes } from '../ui/assets.ts'
import { DEV_AUDIENCE } from '../../core/config/development.ts'

type Form = Record<string, string | string[]>

const one = (v: string | string[] | undefined): string => Array.isArray(v) ? (v[0] ?? '') : (v ?? '')
const many = (v: string | string[] | undefined): string[] => v === undefined ? [] : Array.isArray(v) ? v : [v]
const nameOf = (i: LearnerIdentity): string => `${i.givenNames} ${i.familyName}`.trim()
/** Who a page is for: the learner's name and their session's CSRF token for the page's forms (set by the edge, src/edges/http/csrf.ts). */
const signedIn = (request: FastifyRequest, i: LearnerIdentity): SignedIn => ({ name: nameOf(i), ...(request.csrfToken === undefined ? {} : { csrf: request.csrfToken }) })
/** The last moment of a calendar day in Norway (CET; an hour's slack in summer). */
const endOfDay = (day: string): number => Date.parse(`${day}T23:59:59+01:00`)
const DAY_MS = 86_400_000

const langQuery = { type: 'object', properties: { lang: { type: 'string', enum: ['nb', 'nn', 'en'] } } } as const
/** A share ID as the API takes it; the pages take any text and explain a mistyped link. */
const SHARE_ID = /^[0-9a-hjkmnp-tv-z]{26}$/
const shareParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-hjkmnp-tv-z]{26}$' } } } as const
const sharePageParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } } as const
const stringOrList = { anyOf: [{ type: 'string', maxLength: 100 }, { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 100 } }] }
/** The cookie of a visit of an opened share (its path is the share's). */
const VISIT_COOKIE = 'share_visit'
const VISIT_TTL_MS = 30 * 60_000

/** What the portal's routes are given besides the portal. */
export interface PortalRoutesOptions {
  /** The federation's trust anchor as the node publishes it (the share page shows its fingerprint; the checker carries it). */
  anchor?: { text: string, fingerprint: string }
  /** Who signs PDF transcripts (none: they are not signed). */
  transcriptSigner?: TranscriptSigner
}

/** What a visit of an opened share keeps: what the recipient was shown, and the files offered. */
interface OpenedView {
  opened: OpenedShare
  sources: FetchOutcome['sources']
  results: PortalResult[]
  owner: { name: string, birthDate?: string }
  openedAt: number
  proof: Buffer
  pdf?: Uint8Array
}

export function portalRoutes (portal: PortalModule, options: PortalRoutesOptions = {}): FastifyPluginAsync {
  return async (app) => {
    // Forms are parsed by the edge (@fastify/formbody); errors of pages are rendered by the
    // node's one error handler, and a page for signed-in learners is reached only with a sign-in
    // (the edge sends anyone else to sign in first), so handlers take the learner from the request.
    const learner = (request: FastifyRequest): LearnerIdentity => portal.identityOf(request)
    const html = async (reply: FastifyReply, body: string, status = 200, scripts = false): Promise<FastifyReply> => await sendPage(reply, body, { status, scripts })
    // At most 500 visits at once (each holds the results it showed, some kilobytes): the oldest goes first.
    const visits = new ShareVisits<OpenedView>({ ttlMs: VISIT_TTL_MS, max: 500 }, () => portal.now())
    const secure = (): boolean => portal.baseUrl().startsWith('https:')

    await app.register(uiAssetRoutes())

    app.get('/', { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { hide: true } }, async (_request, reply) => await reply.redirect('/portal', 302))

    app.get('/portal', { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { summary: 'The portal\'s front page', tags: ['portal'], querystring: langQuery, produces: ['text/html'] } }, async (request, reply) => {
      if (await portal.sessions.identify(request) !== undefined) return await reply.redirect('/portal/results', 303)
      return await html(reply, landingPage(langOf(request), request.url))
    })

    app.get<{ Querystring: { returnTo?: string } }>('/portal/login', {
      config: { policy: { caller: 'public' }, errors: 'page', limit: 'signIn' },
      schema: { summary: 'Start signing in at the OIDC issuer', tags: ['portal'], querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 500 }, lang: { type: 'string', enum: ['nb', 'nn', 'en'] } } } }
    }, async (request, reply) => await reply.redirect(portal.sessions.signInUrl(reply, request.query.returnTo ?? '/portal/results'), 303))

    const callbackFields = {
      code: { type: 'string', maxLength: 2048 },
      state: { type: 'string', maxLength: 200 },
      iss: { type: 'string', maxLength: 500 },
      error: { type: 'string', maxLength: 200 },
      error_description: { type: 'string', maxLength: 1000 }
    } as const
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

    app.post(
      '/portal/logout/everywhere',
      { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'Sign out everywhere: ends every session of the learner, in every browser', tags: ['portal'] } },
      async (request, reply) => {
        await portal.sessions.signOutEverywhere(learner(request))
        await portal.sessions.signOut(request, reply)
        return await reply.redirect('/portal', 303)
      }
    )

    /** The results page, with the share form as posted (and its errors) when it is shown again. */
    const resultsHtml = async (request: FastifyRequest, identity: LearnerIdentity, form?: ShareForm): Promise<string> => {
      const [outcome, foreign] = await Promise.all([
        portal.myResults(identity),
        portal.foreignResults(identity).then((imports) => ({ imports, failed: false }), (err: unknown) => {
          request.log.warn({ code: toLifelongError(err).code }, 'imported results could not be read')
          return { imports: [], failed: true }
        })
      ])
      return resultsPage({
        lang: langOf(request),
        here: '/portal/results',
        who: signedIn(request, identity),
        sources: outcome.sources,
        results: outcome.results,
        maxDays: portal.init.shareMaxDays,
        today: osloDay(portal.now()),
        ...(outcome.directoryError === undefined ? {} : { directoryError: outcome.directoryError }),
        extras: { foreign: foreign.imports, foreignFailed: foreign.failed, ...(portal.init.entryPoints === undefined ? {} : { entryPoints: portal.init.entryPoints }) },
        ...(form === undefined ? {} : { form })
      })
    }

    app.get(
      '/portal/results',
      { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'My results, with a status per source (page)', tags: ['portal'], querystring: langQuery, produces: ['text/html'] } },
      async (request, reply) => {
        return await html(reply, await resultsHtml(request, learner(request)))
      }
    )

    /** Checks that every picked key is a verified result of this learner, then creates the share. */
    const createShare = async (identity: LearnerIdentity, keys: string[], recipient: string, expiresAt: number, maxUses: number, view: { lang?: Lang, showBirthDate?: boolean } = {}): Promise<{ shareId: string, code: string }> => {
      if (keys.length === 0) throw new LifelongError('invalid', 'SHARE_INVALID', 'pick at least one result')
      const wanted = groupKeys(keys)
      const outcome = await portal.fetcher.fetch([identity.subject], OWN_RESULTS, wanted)
      const mine = new Set(outcome.results.filter((r) => r.verification.ok && r.view?.status !== 'annulled').map((r) => r.key))
      const foreign = keys.filter((k) => !mine.has(k))
      if (foreign.length > 0) {
        const down = outcome.sources.some((s) => s.status !== 'ok')
        throw new LifelongError(
          down ? 'unavailable' : 'forbidden',
          down ? 'PORTAL_SOURCE_UNAVAILABLE' : 'PORTAL_NOT_YOUR_RESULT',
          down ? 'a source of the picked results did not answer: try again later' : 'you can share only your own verified results'
        )
      }
      return await portal.shares.create(identity.subject, {
        results: keys.map((k) => ({ organisationNumber: k.slice(0, 9), resultId: k.slice(10) })),
        recipient,
        expiresAt,
        maxUses,
        ...(view.lang === undefined ? {} : { lang: view.lang }),
        ...(view.showBirthDate === undefined ? {} : { showBirthDate: view.showBirthDate })
      })
    }

    /** The share form as posted, and what is wrong with each field (in the page's language). */
    const shareFormOf = (body: Form, lang: Lang): ShareForm => {
      const t = TEXTS[lang]
      const maxDays = portal.init.shareMaxDays
      const today = osloDay(portal.now())
      const last = osloDay(portal.now() + maxDays * DAY_MS)
      const form: ShareForm = {
        picked: many(body.result),
        recipient: one(body.recipient).trim(),
        expires: one(body.expires),
        maxUses: one(body.maxUses).trim() === '' ? '0' : one(body.maxUses).trim(),
        lang: isLang(one(body.shareLang)) ? one(body.shareLang) as Lang : lang,
        birthDate: one(body.birthDate) === 'yes',
        errors: {}
      }
      if (form.picked.length === 0) form.errors.result = t.pickAtLeastOne
      if (form.recipient === '' || form.recipient.length > 200) form.errors.recipient = t.recipientMissing
      if (!/^\d{4}-\d{2}-\d{2}$/.test(form.expires) || Number.isNaN(Date.parse(form.expires)) || form.expires < today || form.expires > last) form.errors.expires = t.expiresInvalid(maxDays)
      if (!/^\d{1,4}$/.test(form.maxUses) || Number(form.maxUses) > 1000) form.errors.maxUses = t.maxUsesInvalid
      return form
    }

    app.post<{ Body: Form }>('/portal/shares', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        summary: 'Create a share of picked results (form); a form with mistakes is shown again',
        tags: ['portal'],
        body: {
          type: 'object',
          properties: {
            result: stringOrList,
            recipient: { type: 'string', maxLength: 1000 },
            expires: { type: 'string', maxLength: 40 },
            maxUses: { type: 'string', maxLength: 40 },
            shareLang: { type: 'string', maxLength: 10 },
            birthDate: { type: 'string', maxLength: 10 }
          }
        }
      }
    }, async (request, reply) => {
      const identity = learner(request)
      const lang = langOf(request)
      const form = shareFormOf(request.body, lang)
      if (Object.keys(form.errors).length > 0) return await html(reply, await resultsHtml(request, identity, form), 400)
      let created: { shareId: string, code: string }
      try {
        // The last day the form allows ends within the limit (the day's end may be up to a day past it).
        const expiresAt = Math.min(endOfDay(form.expires), portal.now() + portal.init.shareMaxDays * DAY_MS)
        created = await createShare(identity, [...form.picked], form.recipient, expiresAt, Number(form.maxUses), { lang: form.lang, showBirthDate: form.birthDate })
      } catch (err) {
        const e = toLifelongError(err)
        if (e.kind === 'internal') throw err
        const explained = explainError(e.code, HTTP_STATUS[e.kind], lang).text
        const atPicker = e.code === 'PORTAL_NOT_YOUR_RESULT' || e.code === 'PORTAL_RESULT_KEY_INVALID'
        void reply.header('x-error-code', e.code)
        return await html(reply, await resultsHtml(request, identity, { ...form, errors: atPicker ? { result: explained } : { form: explained } }), HTTP_STATUS[e.kind])
      }
      return await html(reply, shareCreatedPage(lang, signedIn(request, identity), `${portal.baseUrl()}/share/${created.shareId}`, created.code, { lang: form.lang, birthDate: form.birthDate }), 200, true)
    })

    app.get<{ Querystring: { revoked?: string, lang?: string } }>('/portal/shares', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: { summary: 'My shares and every opening (page)', tags: ['portal'], querystring: { type: 'object', properties: { ...langQuery.properties, revoked: { type: 'string', maxLength: 100 } } }, produces: ['text/html'] }
    }, async (request, reply) => {
      const identity = learner(request)
      const shares = await portal.shares.list(identity.subject)
      const revoked = shares.find((s) => s.shareId === request.query.revoked && s.state === 'revoked')?.recipient
      return await html(reply, sharesPage(langOf(request), signedIn(request, identity), shares, portal.baseUrl(), revoked), 200, true)
    })

    app.get<{ Params: { id: string } }>('/portal/shares/:id/revoke', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: { summary: 'Asks before a share is revoked (page)', tags: ['portal'], params: shareParams, querystring: langQuery, produces: ['text/html'] }
    }, async (request, reply) => {
      const identity = learner(request)
      const share = (await portal.shares.list(identity.subject)).find((s) => s.shareId === request.params.id)
      if (share === undefined) throw new LifelongError('not-found', 'SHARE_NOT_FOUND', 'no such share of yours')
      if (share.state === 'revoked') return await reply.redirect(`/portal/shares?revoked=${share.shareId}`, 303)
      return await html(reply, revokeConfirmPage(langOf(request), signedIn(request, identity), share))
    })

    app.post<{ Params: { id: string } }>(
      '/portal/shares/:id/revoke',
      { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { summary: 'Revoke a share (form)', tags: ['portal'], params: shareParams } },
      async (request, reply) => {
        await portal.shares.revoke(learner(request).subject, request.params.id)
        visits.endShare(request.params.id)
        return await reply.redirect(`/portal/shares?revoked=${request.params.id}`, 303)
      }
    )

    /** What the logs recorded about the learner: the index's, the sources', the bridges' and the openings of their shares. */
    const accessRows = async (identity: LearnerIdentity): Promise<{ rows: AccessRow[], failed: string[] }> => {
      const sources = await portal.directory.find(identity.subject, ACCESS_LOG).catch(() => [])
      const [logs, index, bridged, shares] = await Promise.all([
        portal.fetcher.accessLogs(identity.subject, sources, ACCESS_LOG),
        portal.indexAccess(identity.subject).then((rows) => ({ rows, failed: false }), () => ({ rows: [], failed: true })),
        portal.bridgeAccess(identity).catch(() => []),
        portal.shares.list(identity.subject)
      ])
      const rows: AccessRow[] = [
        ...index.rows.map((r): AccessRow => ({ from: 'index', at: r.at, who: r.who, operation: r.operation, kind: r.kind, change: r.change, purpose: r.purpose, legalBasis: r.legalBasis })),
        ...logs.rows.map((r): AccessRow => ({
          from: 'institution',
          at: Number(r.atMs),
          who: r.organisationName || r.organisationNumber || '',
          operation: r.operation ?? '',
          purpose: r.purpose ?? '',
          legalBasis: r.legalBasis ?? '',
          count: r.results ?? 0,
          where: r.source
        })),
        ...bridged.map((b): AccessRow => ({ from: 'bridge', at: b.at, who: b.organisation, operation: b.operation, purpose: b.purpose, legalBasis: b.legalBasis, ...(b.reference === undefined ? {} : { reference: b.reference }) })),
        ...shares.flatMap((s) => s.openings.map((o): AccessRow => ({ from: 'share', at: o.at, shareId: s.shareId, who: s.recipient, recipient: s.recipient, createdAt: s.createdAt, outcome: o.outcome, useNumber: o.useNumber })))
      ]
      return { rows, failed: index.failed ? ['index', ...logs.failed] : logs.failed }
    }

    app.get<{ Querystring: Record<string, string> }>('/portal/access', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        summary: 'Who saw my data (page): one event per line, the learner\'s own use hidden unless asked for, filters and pages',
        tags: ['portal'],
        querystring: { type: 'object', properties: { ...langQuery.properties, show: { type: 'string', maxLength: 20 }, what: { type: 'string', maxLength: 20 }, page: { type: 'string', maxLength: 10 } } },
        produces: ['text/html']
      }
    }, async (request, reply) => {
      const lang = langOf(request)
      const identity = learner(request)
      const { rows, failed } = await accessRows(identity)
      const q = accessQuery(request.query)
      const events = pageOfEvents(accessEvents(rows, lang), q)
      return await html(reply, accessPage(lang, signedIn(request, identity), events, q, failed.map((f) => f === 'index' ? ACCESS_TEXTS[lang].theIndex : f)))
    })

    // ------------------------------------------------------------------ the employer's side

    /** A share ID from a page's URL: as it is, in lower case if it was typed in capitals, or refused with an explanation. */
    const shareIdOf = (id: string): string => {
      if (SHARE_ID.test(id)) return id
      if (SHARE_ID.test(id.toLowerCase())) return id.toLowerCase()
      throw new LifelongError('not-found', 'SHARE_LINK_INVALID', 'the share link is not complete')
    }

    /** Opens a share and fetches its results again from their sources, verified. */
    const openShare = async (id: string, code: string, via: 'web' | 'bundle'): Promise<{ opened: OpenedShare, sources: FetchOutcome['sources'], results: PortalResult[] }> => {
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
        return resultBundle(
          r.served,
          r.checkpoint,
          r.verification.ok ? r.verification.checkpointSize : 0,
          logOriginOf(portal.init.federationId, member.identity),
          member,
          r.witnesses,
          portal.init.federationId,
          portal.manifestEnvelope(),
          portal.now()
        )
      })
    })

    /** The visit a request continues, if its cookie names one of this share. */
    const visitOf = (request: FastifyRequest, id: string): OpenedView | undefined => visits.get(id, request.cookies[VISIT_COOKIE])
    const walletVerifier = portal.init.entryPoints?.walletVerifier
    const visitLang = (request: FastifyRequest, v: OpenedView): Lang => langOf(request, v.opened.lang)

    app.get<{ Params: { id: string } }>('/share/:id', {
      config: { policy: { caller: 'share-holder' }, errors: 'page' },
      schema: { summary: 'A share: asks for the access code, or shows the opened share within its visit (page)', tags: ['portal'], params: sharePageParams, querystring: langQuery, produces: ['text/html'] }
    }, async (request, reply) => {
      const id = shareIdOf(request.params.id)
      if (id !== request.params.id) return await reply.redirect(`/share/${id}`, 303)
      const visit = visitOf(request, id)
      if (visit === undefined) return await html(reply, shareCodePage(langOf(request, await portal.shares.langOf(id)), id, undefined, request.csrfToken, walletVerifier))
      const lang = visitLang(request, visit)
      return await html(
        reply,
        shareViewPage(lang, {
          shareId: id,
          owner: visit.owner,
          recipient: visit.opened.recipient,
          openedAt: visit.openedAt,
          sources: visit.sources,
          results: visit.results,
          downloads: { bundle: `/share/${id}/proofs.json`, pdf: `/share/${id}/transcript.pdf` },
          ...(options.transcriptSigner === undefined ? {} : { pdfSigner: options.transcriptSigner.name }),
          anchor: { url: `${portal.baseUrl()}${TRUST_ANCHOR_PATH}`, fingerprint: options.anchor?.fingerprint ?? '–' },
          ...(walletVerifier === undefined ? {} : { walletVerifier })
        })
      )
    })

    app.post<{ Params: { id: string }, Body: Form }>('/share/:id', {
      config: { policy: { caller: 'share-holder' }, errors: 'page', limit: 'shareOpen' },
      schema: {
        summary: 'Open a share with its access code (page): starts a visit, in which reloading is not a new opening',
        tags: ['portal'],
        params: sharePageParams,
        querystring: langQuery,
        body: { type: 'object', properties: { code: { type: 'string', maxLength: 40 } } }
      }
    }, async (request, reply) => {
      const id = shareIdOf(request.params.id)
      try {
        const { opened, sources, results } = await openShare(id, one(request.body.code), 'web')
        const first = results.find((r) => r.verification.ok)?.view?.subject
        // The recipient sees the learner's name, and the birth date only if the learner chose to show it.
        const owner = first === undefined ? { name: '' } : { name: `${first.givenNames} ${first.familyName}`, ...(opened.showBirthDate && first.birthDate !== undefined ? { birthDate: first.birthDate } : {}) }
        const proof = Buffer.from(JSON.stringify(bundlesOf(results), null, 2))
        const token = visits.start(id, { opened, sources, results, owner, openedAt: portal.now(), proof })
        void reply.setCookie(VISIT_COOKIE, token, { path: `/share/${id}`, httpOnly: true, sameSite: 'lax', secure: secure(), maxAge: VISIT_TTL_MS / 1000 })
        // Post, redirect, get: reloading the page shows the same opening instead of posting the code again.
        return await reply.redirect(`/share/${id}`, 303)
      } catch (err) {
        const e = toLifelongError(err)
        if (e.kind === 'internal') throw err
        const lang = langOf(request, await portal.shares.langOf(id))
        return await html(reply.header('x-error-code', e.code), shareCodePage(lang, id, { code: e.code, message: explainError(e.code, HTTP_STATUS[e.kind], lang).text }, request.csrfToken, walletVerifier), HTTP_STATUS[e.kind])
      }
    })

    const visitOrRefuse = (request: FastifyRequest, id: string): OpenedView => {
      const visit = visitOf(request, shareIdOf(id))
      if (visit === undefined) throw new LifelongError('forbidden', 'SHARE_VISIT_ENDED', 'open the share with its code first')
      return visit
    }

    app.get<{ Params: { id: string } }>('/share/:id/proofs.json', {
      config: { policy: { caller: 'share-holder' }, errors: 'page' },
      schema: { summary: 'The proof set of an opened share, within its visit', tags: ['portal'], params: sharePageParams }
    }, async (request, reply) => {
      const visit = visitOrRefuse(request, request.params.id)
      return await reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', 'attachment; filename="results-proof.json"').header('cache-control', 'no-store').send(visit.proof)
    })

    app.get<{ Params: { id: string } }>('/share/:id/transcript.pdf', {
      config: { policy: { caller: 'share-holder' }, errors: 'page' },
      schema: { summary: 'The signed PDF transcript of an opened share, within its visit', tags: ['portal'], params: sharePageParams, querystring: langQuery }
    }, async (request, reply) => {
      const visit = visitOrRefuse(request, request.params.id)
      const lang = visitLang(request, visit)
      // pdf-lib and @signpdf load when the first transcript is made, not when the node starts.
      const { transcriptPdf } = await import('./pdf.ts')
      visit.pdf ??= await transcriptPdf({
        lang,
        owner: visit.owner,
        recipient: visit.opened.recipient,
        openedAt: visit.openedAt,
        results: visit.results,
        proof: visit.proof,
        proofSha256: createHash('sha256').update(visit.proof).digest('hex'),
        verifyUrl: `${portal.baseUrl()}/verify`,
        ...(options.transcriptSigner === undefined ? {} : { signer: options.transcriptSigner })
      })
      return await reply.header('content-type', 'application/pdf').header('content-disposition', 'attachment; filename="results.pdf"').header('cache-control', 'no-store').send(Buffer.from(visit.pdf))
    })

    app.get('/verify', {
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: { summary: 'Check a proof file or a PDF transcript in the browser, against the federation\'s trust anchor (page; nothing is uploaded)', tags: ['portal'], querystring: langQuery, produces: ['text/html'] }
    }, async (request, reply) => {
      return await html(reply, verifierPage(langOf(request), options.anchor?.text, request.url), 200, true)
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
    const outcomeSchema = {
      type: 'object',
      properties: { sources: { type: 'array', items: anyObject }, results: { type: 'array', items: anyObject }, imported: { type: 'array', items: anyObject }, directoryError: { type: 'string' } }
    } as const
    const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 410: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } }

    app.get('/portal/api/session', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'The signed-in learner (bearer token or session cookie); with the cookie, the session\'s CSRF token for the X-CSRF-Token header of state-changing requests',
        tags: ['portal'],
        response: {
          200: { type: 'object', properties: { givenNames: { type: 'string' }, familyName: { type: 'string' }, birthDate: { type: 'string' }, scheme: { type: 'string' }, expiresAt: { type: 'integer' }, csrfToken: { type: 'string' } } },
          ...errors
        }
      }
    }, async (request, reply) => {
      const i = learner(request)
      void reply.header('cache-control', 'no-store')
      // The identifier itself is not echoed: the client has it in its token or session.
      return {
        givenNames: i.givenNames,
        familyName: i.familyName,
        ...(i.birthDate === undefined ? {} : { birthDate: i.birthDate }),
        scheme: i.subject.scheme,
        expiresAt: i.expiresAt,
        ...(request.csrfToken === undefined ? {} : { csrfToken: request.csrfToken })
      }
    })

    app.post('/portal/api/sessions/end-all', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'Sign out everywhere: ends every session of the learner, in every browser (an ID token used as bearer stays valid until it expires)',
        tags: ['portal'],
        response: { 200: { type: 'object', properties: { ended: { type: 'integer' } } }, ...errors }
      }
    }, async (request, reply) => {
      const ended = await portal.sessions.signOutEverywhere(learner(request))
      await portal.sessions.signOut(request, reply)
      return { ended }
    })

    app.get('/portal/api/results', {
      config: { policy: { caller: 'learner' } },
      schema: { summary: 'My results, verified, with a status per source; and, apart from them, results imported from abroad (EMREX)', tags: ['portal'], response: { 200: outcomeSchema, ...errors } }
    }, async (request) => {
      const identity = learner(request)
      const [outcome, imported] = await Promise.all([portal.myResults(identity), portal.foreignResults(identity)])
      return { sources: outcome.sources, results: outcome.results.map(resultJson), imported, ...(outcome.directoryError === undefined ? {} : { directoryError: outcome.directoryError }) }
    })

    app.post<{ Body: { results: string[] } }>('/portal/api/transfer', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'The bridges\' view (LearnerResults) of picked results of the signed-in learner',
        tags: ['portal'],
        body: { type: 'object', required: ['results'], additionalProperties: false, properties: { results: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', maxLength: 40 } } } },
        response: { 200: anyObject, ...errors }
      }
    }, async (request) => await portal.verifiedResultsFor(learner(request), request.body.results))

    app.post<{ Body: { results: string[], recipient: string, expiresAt: string, maxUses?: number, lang?: Lang, showBirthDate?: boolean } }>('/portal/api/shares', {
      config: { policy: { caller: 'learner' } },
      schema: {
        summary: 'Create a share of picked results; the access code is in this answer only',
        tags: ['portal'],
        body: {
          type: 'object',
          required: ['results', 'recipient', 'expiresAt'],
          additionalProperties: false,
          properties: {
            results: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', maxLength: 40 } },
            recipient: { type: 'string', minLength: 1, maxLength: 200 },
            expiresAt: { type: 'string', format: 'date-time' },
            maxUses: { type: 'integer', minimum: 0, maximum: 1000 },
            lang: { type: 'string', enum: ['nb', 'nn', 'en'], description: 'The language of the recipient\'s page and PDF' },
            showBirthDate: { type: 'boolean', description: 'Show the learner\'s birth date to the recipient (default no)' }
          }
        },
        response: { 200: { type: 'object', properties: { shareId: { type: 'string' }, code: { type: 'string' }, url: { type: 'string' } } }, ...errors }
      }
    }, async (request) => {
      const identity = learner(request)
      const { shareId, code } = await createShare(identity, request.body.results, request.body.recipient, Date.parse(request.body.expiresAt), request.body.maxUses ?? 0, {
        ...(request.body.lang === undefined ? {} : { lang: request.body.lang }),
        ...(request.body.showBirthDate === undefined ? {} : { showBirthDate: request.body.showBirthDate })
      })
      return { shareId, code, url: `${portal.baseUrl()}/share/${shareId}` }
    })

    app.get('/portal/api/shares', { config: { policy: { caller: 'learner' } }, schema: { summary: 'My shares and every opening', tags: ['portal'], response: { 200: { type: 'array', items: anyObject }, ...errors } } }, async (request) => {
      return await portal.shares.list(learner(request).subject)
    })

    app.post<{ Params: { id: string } }>('/portal/api/shares/:id/revoke', {
      config: { policy: { caller: 'learner' } },
      schema: { summary: 'Revoke a share', tags: ['portal'], params: shareParams, response: { 204: { type: 'null' }, ...errors } }
    }, async (request, reply) => {
      await portal.shares.revoke(learner(request).subject, request.params.id)
      return await reply.status(204).send()
    })

    app.get('/portal/api/access', {
      config: { policy: { caller: 'learner' } },
      schema: { summary: 'Who read my data', tags: ['portal'], response: { 200: { type: 'object', properties: { rows: { type: 'array', items: anyObject }, failed: { type: 'array', items: { type: 'string' } } } }, ...errors } }
    }, async (request) => {
      return await accessRows(learner(request))
    })

    app.post<{ Params: { id: string }, Body: { code: string } }>('/share/:id/open', {
      config: { policy: { caller: 'share-holder' }, limit: 'shareOpen' },
      schema: {
        summary: 'Open a share with its code: the results, verified, and their proof bundles',
        tags: ['portal'],
        params: shareParams,
        body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', maxLength: 40 } } },
        response: { 200: anyObject, ...errors }
      }
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
    const authorizeQuery = {
      type: 'object',
      required: ['client_id', 'redirect_uri', 'state', 'nonce'],
      properties: {
        client_id: { type: 'string', maxLength: 100 },
        redirect_uri: { type: 'string', maxLength: 500 },
        state: { type: 'string', maxLength: 200 },
        nonce: { type: 'string', maxLength: 200 },
        response_type: { type: 'string', maxLength: 50 },
        response_mode: { type: 'string', maxLength: 50 },
        code_challenge: { type: 'string', maxLength: 200 },
        code_challenge_method: { type: 'string', maxLength: 20 },
        scope: { type: 'string', maxLength: 200 },
        lang: { type: 'string' }
      }
    } as const
    const issuerUrl = (): string => `${portal.baseUrl()}/dev-oidc`
    const checkClient = (q: { client_id: string, redirect_uri: string }): void => {
      if (q.client_id !== DEV_AUDIENCE || q.redirect_uri !== `${portal.baseUrl()}/portal/callback`) throw new LifelongError('invalid', 'AUTH_UNKNOWN_CLIENT', 'the development issuer signs in to this portal only')
    }
    /** Sends the answer back to the client: a form post or a redirect with a query (the default). */
    const answer = async (request: FastifyRequest, reply: FastifyReply, q: AuthorizeRequest, fields: Record<string, string>): Promise<FastifyReply> => {
      const all = { ...fields, state: q.state, iss: issuerUrl() }
      if (q.response_mode === 'form_post') {
        // The page posts itself to the client with one nonce'd script; the form goes there only.
        const nonce = randomBytes(16).toString('base64')
        const csp = `${Object.entries({ ...PAGE_CSP, 'script-src': [`'nonce-${nonce}'`], 'form-action': [new URL(q.redirect_uri).origin] }).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ')}`
        return await reply.status(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', csp).send(formPostPage(langOf(request), q.redirect_uri, all, nonce))
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
      if (problem !== undefined) return await answer(request, reply, q, problem)
      // The page's language links keep every parameter of the authorization request.
      return await html(reply, devIssuerPage(langOf(request), dev.init.learners, Object.fromEntries(Object.entries(q).filter(([, v]) => v !== '')), request.url))
    })
    app.post<{ Body: Form }>('/dev-oidc/authorize', {
      config: { policy: { caller: 'development' }, errors: 'page', crossSite: 'development issuer: stands for an identity provider on its own origin; its form carries the authorization request, not a portal session' },
      schema: {
        summary: 'Development issuer: sign in as the chosen sample learner (sends a code back)',
        tags: ['dev-oidc'],
        body: { type: 'object', properties: { learner: { type: 'string', pattern: '^\\d{1,3}$' }, ...authorizeQuery.properties } }
      }
    }, async (request, reply) => {
      const q = requestOf(request.body)
      checkClient(q)
      const problem = problemOf(q)
      if (problem !== undefined) return await answer(request, reply, q, problem)
      const code = dev.issueCode({ clientId: q.client_id, redirectUri: q.redirect_uri, nonce: q.nonce, learner: Number(one(request.body.learner)), codeChallenge: q.code_challenge })
      return await answer(request, reply, q, { code })
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
