/**
 * The employer's "from a wallet" path of sharing (OpenID4VP 1.0; the verifier:
 * src/services/bridges/eudi/presentations.ts): instead of a share link and code from the
 * learner, the employer asks the candidate's wallet for a diploma or course result.
 *
 * - `GET /share/wallet`: what to ask for; `POST /share/wallet` makes the request and binds it to
 *   this browser (a cookie holding the request's secret, scoped to its path), then shows it.
 * - `GET /share/wallet/<id>`: the request as a QR code and same-device link while it waits (a
 *   small module of the page asks every few seconds whether the wallet has answered and then
 *   reloads it; without script, a link does), then the verified claims or why the answer was
 *   refused; only in the browser that made it.
 * - `GET /share/wallet/<id>/request`: the signed request object (HAIP profile, `request_uri`).
 * - `POST /share/wallet/<id>/response`: where the wallet posts its answer (`direct_post`,
 *   `direct_post.jwt`); OAuth-style errors.
 *
 * Anyone may make a request (an employer has no account): the routes that write are rate limited
 * per client address (`http.rateLimit.walletPresentation`) and requests expire
 * (`portal.wallet.presentationTtlSeconds`). The pages are the portal's (its shell, the reader's
 * language, src/edges/bridges/html.ts).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { LifelongError } from '../../../core/errors.ts'
import { esc, sendBridgePage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import { langOf, type Lang } from '../../ui/lang.ts'
import { localText } from '../../ui/text.ts'
import { formatDate, formatDateTime } from '../../ui/format.ts'
import { PRESENTATION_TEXTS, type PresentationTexts } from '../texts.ts'
import type { PresentationKind, PresentationResult, PresentationVerifier } from '../../../services/bridges/eudi/presentations.ts'

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } } } as const
const oauthErrorSchema = { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } } } as const
const COOKIE = 'lifelong_presentation'
const KINDS: readonly PresentationKind[] = ['diploma', 'course-result', 'either']

const wantsJson = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('application/json')

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isLocalised = (v: unknown): v is Record<string, string> => isRecord(v) && Object.keys(v).length > 0 && Object.entries(v).every(([k, x]) => /^[a-z]{2}$/.test(k) && typeof x === 'string')

/** A claim's value as HTML: a localised text in the page's language, a structure as nested lists, never JSON. */
function claimHtml (v: unknown, lang: Lang): string {
  if (v === undefined || v === null) return ''
  if (isLocalised(v)) return localText(v, lang)
  if (Array.isArray(v)) return `<ul class="plain">${v.map((x) => `<li>${claimHtml(x, lang)}</li>`).join('')}</ul>`
  if (isRecord(v)) return `<dl class="facts">${Object.entries(v).map(([k, x]) => `<dt><code>${esc(k)}</code></dt><dd>${claimHtml(x, lang)}</dd>`).join('')}</dl>`
  return `<span class="mono">${esc(String(v))}</span>`
}

/** The claims every request asks for, and the credential's bookkeeping: not listed again among the others. */
const SHOWN = new Set(['given_name', 'family_name', 'title', 'awarding_body', 'awarding_date', 'iss', 'iat', 'vct', 'vct#integrity'])

/** The page of an answered or expired request: what was verified, or why nothing is shown. */
function resultPage (r: PresentationResult, t: PresentationTexts, lang: Lang): { title: string, body: string } {
  const again = `<p><a href="/share/wallet">${esc(t.newRequest)}</a></p>`
  if (r.state === 'verified') {
    const c = r.claims ?? {}
    const body = isRecord(c.awarding_body) ? c.awarding_body : {}
    const name = [c.given_name, c.family_name].filter((x) => typeof x === 'string').join(' ')
    const date = typeof c.awarding_date === 'string' ? esc(formatDate(c.awarding_date, lang)) : claimHtml(c.awarding_date, lang)
    const rows: Array<[string, string]> = [
      [t.name, `<span id="holder">${esc(name)}</span>`],
      [t.claimTitle, claimHtml(c.title, lang)],
      [t.awardedBy, `${claimHtml(body.name, lang)}${typeof body.organisation_number === 'string' ? ` (${esc(body.organisation_number)})` : ''}`],
      [t.date, date]
    ]
    const others = Object.entries(c).filter(([k]) => !SHOWN.has(k))
    return {
      title: t.verifiedTitle,
      body: `<div class="done"><p>${esc(t.issuedBy)} <strong>${esc(r.issuer?.name ?? '')}</strong> (${esc(r.issuer?.organisationNumber ?? '')}), <span class="mono">${esc(r.issuer?.federation ?? '')}</span></p></div>
<h2>${esc(t.claims)}</h2><dl class="facts" id="verified-claims">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
${others.length === 0 ? '' : `<h2>${esc(t.otherClaims)}</h2><dl class="facts">${others.map(([k, v]) => `<dt><code>${esc(k)}</code></dt><dd>${claimHtml(v, lang)}</dd>`).join('')}</dl>`}
<h2>${esc(t.checked)}</h2><ul class="plain">${(r.checks ?? []).map((x) => `<li>✔ <code>${esc(x.name)}</code></li>`).join('')}</ul>${again}`
    }
  }
  if (r.state === 'refused') {
    // The reason is written for developers, in English: folded away, marked as English.
    return {
      title: t.refusedTitle,
      body: `<div class="notice" role="alert"><p>${esc(t.refused)}</p></div>
${r.reason === undefined ? '' : `<details><summary>${esc(t.details)}</summary><p><code lang="en" id="refusal">${esc(r.reason)}</code></p></details>`}${again}`
    }
  }
  return { title: t.expiredTitle, body: `<p>${esc(t.expired)}</p>${again}` }
}

export function presentationRoutes (verifier: PresentationVerifier, options: { secureCookies: () => boolean }): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const cookieOf = (request: FastifyRequest, id: string): string | undefined => {
      const v = request.cookies[COOKIE]
      if (v === undefined) return undefined
      const [cid, secret] = v.split('.')
      return cid === id ? secret : undefined
    }

    app.get(
      '/share/wallet',
      { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { tags: ['eudi'], summary: 'Page: an employer asks a candidate\'s wallet for a diploma or course result (OpenID4VP)' } },
      async (request, reply) => {
        const t = PRESENTATION_TEXTS[langOf(request)]
        const body = `<p>${esc(t.askLead)}</p>
<form method="post" action="/share/wallet">${csrfField(request.csrfToken)}
<fieldset><legend>${esc(t.askWhat)}</legend><ul class="plain">${KINDS.map((k, i) => `<li><label><input type="radio" name="kind" value="${k}"${i === 0 ? ' checked' : ''}> ${esc(t.kinds[k])}</label></li>`).join('')}</ul></fieldset>
${verifier.haip ? `<p><label><input type="checkbox" name="profile" value="haip" checked aria-describedby="haip-hint"> ${esc(t.haip)}</label><br><span id="haip-hint" class="muted">${esc(t.haipHint)}</span></p>` : ''}
<p><button type="submit">${esc(t.make)}</button></p></form>
<p class="muted">${esc(t.orShare)}</p>`
        return await sendBridgePage(request, reply, undefined, { title: t.askTitle, body, here: '/share/wallet' })
      }
    )

    app.post<{ Body: { kind?: string, profile?: string } }>('/share/wallet', {
      config: { policy: { caller: 'public' }, errors: 'page', limit: 'walletPresentation' },
      schema: {
        tags: ['eudi'],
        summary: 'Make a presentation request (DCQL query) bound to this browser',
        body: { type: 'object', properties: { kind: { type: 'string', enum: ['diploma', 'course-result', 'either'] }, profile: { type: 'string', enum: ['plain', 'haip'] } } }
      }
    }, async (request, reply) => {
      const kind = (request.body?.kind ?? 'diploma') as PresentationKind
      const profile = request.body?.profile === 'haip' ? 'haip' : 'plain'
      const created = await verifier.create(kind, profile)
      // The request's secret in this browser only (OpenID4VP §13.3: the transaction is bound to the session that started it).
      void reply.setCookie(COOKIE, `${created.id}.${created.browserSecret}`, { path: `/share/wallet/${created.id}`, httpOnly: true, sameSite: 'lax', secure: options.secureCookies() })
      if (wantsJson(request)) return await reply.header('cache-control', 'no-store').send({ id: created.id, walletUrl: created.walletUrl, expiresAt: new Date(created.expiresAt).toISOString() })
      return await reply.redirect(`/share/wallet/${created.id}`, 303)
    })

    const show = async (request: FastifyRequest<{ Params: { id: string }, Querystring: { response_code?: string } }>, reply: FastifyReply): Promise<FastifyReply> => {
      const id = request.params.id
      const result = await verifier.result(id, cookieOf(request, id), request.query.response_code)
      if (result === undefined) throw new LifelongError('not-found', 'EUDI_PRESENTATION_NOT_FOUND', 'no such presentation request in this browser')
      if (wantsJson(request)) return await reply.header('cache-control', 'no-store').send(result)
      const lang = langOf(request)
      const t = PRESENTATION_TEXTS[lang]
      const here = `/share/wallet/${id}`
      if (result.state !== 'pending') return await sendBridgePage(request, reply, undefined, { ...resultPage(result, t, lang), here })
      const walletUrl = await verifier.walletUrl(id)
      const qr = await QRCode.toString(walletUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
      // The module asks for this request's state (JSON, same origin) and reloads the page once the
      // wallet has answered; without script, the link does it. No timed refresh (WCAG 2.2.1).
      const body = `<p>${esc(t.scan)}</p>
<div class="qr" role="img" aria-label="${esc(t.kinds[result.kind])}: QR">${qr}</div>
<p><a href="${esc(walletUrl)}" id="wallet-link">${esc(t.openHere)}</a></p>
<p class="muted">${esc(t.validUntil(formatDateTime(result.expiresAt, lang)))}</p>
<p role="status" id="wait-status" data-poll="${esc(here)}">${esc(t.waiting)}</p>
<p><a href="${esc(here)}">${esc(t.checkNow)}</a></p>`
      return await sendBridgePage(request, reply, undefined, { title: t.kinds[result.kind], body, here, scripts: ['/assets/wait.ts'], fetches: true })
    }

    app.get<{ Params: { id: string }, Querystring: { response_code?: string } }>('/share/wallet/:id', {
      // Open to anyone at the edge: the request's secret cookie decides, in the verifier.
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: {
        tags: ['eudi'],
        summary: 'The presentation request (QR code) and, once answered, the verified claims; in the browser that made it',
        params: idParams,
        querystring: { type: 'object', properties: { response_code: { type: 'string', maxLength: 100 } } }
      }
    }, show)

    app.get<{ Params: { id: string } }>('/share/wallet/:id/request', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth' },
      schema: { tags: ['eudi'], summary: 'The signed request object (OpenID4VP 1.0 §5.10, HAIP x509_hash)', params: idParams }
    }, async (request, reply) => {
      return await reply.header('content-type', 'application/oauth-authz-req+jwt').header('cache-control', 'no-store').send(await verifier.requestObject(request.params.id))
    })

    app.post<{ Params: { id: string }, Body: Record<string, unknown> }>('/share/wallet/:id/response', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletPresentation' },
      schema: {
        tags: ['eudi'],
        summary: 'Response endpoint (OpenID4VP 1.0 §8.2 direct_post, §8.3.1 direct_post.jwt): the wallet\'s answer, verified once',
        consumes: ['application/x-www-form-urlencoded'],
        params: idParams,
        body: { type: 'object', additionalProperties: true },
        response: { 200: { type: 'object', properties: { redirect_uri: { type: 'string' } } }, '4xx': oauthErrorSchema }
      }
    }, async (request, reply) => {
      return await reply.header('cache-control', 'no-store').send(await verifier.receive(request.params.id, request.body ?? {}))
    })
  }
}
