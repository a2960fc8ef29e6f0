/**
 * The employer's "from a wallet" path of sharing (OpenID4VP 1.0; the verifier:
 * src/services/bridges/eudi/presentations.ts): instead of a share link and code from the
 * learner, the employer asks the candidate's wallet for a diploma or course result.
 *
 * - `GET /share/wallet`: what to ask for; `POST /share/wallet` makes the request and binds it to
 *   this browser (a cookie holding the request's secret, scoped to its path), then shows it.
 * - `GET /share/wallet/<id>`: the request as a QR code and same-device link while it waits (the
 *   page reloads itself every few seconds, no script), then the verified claims or the reason the
 *   answer was refused; only in the browser that made it.
 * - `GET /share/wallet/<id>/request`: the signed request object (HAIP profile, `request_uri`).
 * - `POST /share/wallet/<id>/response`: where the wallet posts its answer (`direct_post`,
 *   `direct_post.jwt`); OAuth-style errors.
 *
 * Anyone may make a request (an employer has no account): the routes that write are rate limited
 * per client address (`http.rateLimit.walletPresentation`) and requests expire
 * (`portal.wallet.presentationTtlSeconds`).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { LifelongError } from '../../../core/errors.ts'
import { esc, sendPage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import type { PresentationKind, PresentationResult, PresentationVerifier } from '../../../services/bridges/eudi/presentations.ts'

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } } } as const
const oauthErrorSchema = { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } } } as const
const COOKIE = 'lifelong_presentation'

const KIND_LABEL: Record<PresentationKind, string> = { diploma: 'Vitnemål / Diploma', 'course-result': 'Emneresultat / Course result', either: 'Vitnemål eller emneresultat / Diploma or course result' }

const wantsJson = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('application/json')

/** A localised text as the credential carries it (`{ nb, en, … }`). */
function text (v: unknown): string {
  if (typeof v === 'string') return v
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    const first = o.nb ?? o.en ?? Object.values(o)[0]
    return typeof first === 'string' ? first : ''
  }
  return v === undefined ? '' : String(v)
}

function resultPage (r: PresentationResult): string {
  if (r.state === 'verified') {
    const c = r.claims ?? {}
    const body = c.awarding_body as { name?: unknown, organisation_number?: string } | undefined
    const rows: Array<[string, string]> = [
      ['Navn / Name', `${text(c.given_name)} ${text(c.family_name)}`],
      ['Tittel / Title', text(c.title)],
      ['Utsteder / Awarded by', `${text(body?.name)}${body?.organisation_number === undefined ? '' : ` (${body.organisation_number})`}`],
      ['Dato / Date', text(c.awarding_date)]
    ]
    for (const [k, v] of Object.entries(c)) {
      if (['given_name', 'family_name', 'title', 'awarding_body', 'awarding_date', 'iss', 'iat', 'vct', 'vct#integrity'].includes(k)) continue
      rows.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)])
    }
    return `<h1>Bekreftet fra lommeboka / Verified from the wallet</h1>
<p>Utstedt av / Issued by <strong>${esc(r.issuer?.name ?? '')}</strong> (${esc(r.issuer?.organisationNumber ?? '')}), ${esc(r.issuer?.federation ?? '')}</p>
<table id="verified-claims">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<p class="muted">Kontrollert / Checked: ${esc((r.checks ?? []).map((x) => x.name).join(', '))}</p>`
  }
  if (r.state === 'refused') return `<h1>Avvist / Refused</h1><p role="alert" id="refusal">${esc(r.reason ?? '')}</p><p><a href="/share/wallet">Ny forespørsel / New request</a></p>`
  return '<h1>Utløpt / Expired</h1><p>Lommeboka svarte ikke i tide. / The wallet did not answer in time.</p><p><a href="/share/wallet">Ny forespørsel / New request</a></p>'
}

export function presentationRoutes (verifier: PresentationVerifier, options: { secureCookies: () => boolean }): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const cookieOf = (request: FastifyRequest, id: string): string | undefined => {
      const v = request.cookies[COOKIE]
      if (v === undefined) return undefined
      const [cid, secret] = v.split('.')
      return cid === id ? secret : undefined
    }

    app.get('/share/wallet', { config: { policy: { caller: 'public' }, errors: 'page' }, schema: { tags: ['eudi'], summary: 'Page: an employer asks a candidate\'s wallet for a diploma or course result (OpenID4VP)' } }, async (request, reply) => {
      return sendPage(reply, 'Be om bevis fra lommeboka / Ask a wallet', `<h1>Be om et bevis fra kandidatens lommebok / Ask the candidate's wallet</h1>
<form method="post" action="/share/wallet">${csrfField(request.csrfToken)}
<p>${(['diploma', 'course-result', 'either'] as const).map((k, i) => `<label><input type="radio" name="kind" value="${k}"${i === 0 ? ' checked' : ''}> ${esc(KIND_LABEL[k])}</label>`).join('<br>')}</p>
${verifier.haip ? '<p><label><input type="checkbox" name="profile" value="haip" checked> Signert forespørsel, kryptert svar (HAIP) / Signed request, encrypted answer (HAIP)</label></p>' : ''}
<button type="submit">Lag forespørsel / Make the request</button></form>`)
    })

    app.post<{ Body: { kind?: string, profile?: string } }>('/share/wallet', {
      config: { policy: { caller: 'public' }, errors: 'page', limit: 'walletPresentation' },
      schema: { tags: ['eudi'], summary: 'Make a presentation request (DCQL query) bound to this browser', body: { type: 'object', properties: { kind: { type: 'string', enum: ['diploma', 'course-result', 'either'] }, profile: { type: 'string', enum: ['plain', 'haip'] } } } }
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
      if (result.state !== 'pending') return sendPage(reply, 'Bevis fra lommeboka / From the wallet', resultPage(result))
      const walletUrl = await verifier.walletUrl(id)
      const qr = await QRCode.toString(walletUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      // No script: the page reloads itself until the wallet has answered.
      return sendPage(reply, 'Venter på lommeboka / Waiting for the wallet', `<meta http-equiv="refresh" content="3"><h1>${esc(KIND_LABEL[result.kind])}</h1>
<p>Kandidaten skanner koden med EU-lommeboka. / The candidate scans this with their EU wallet.</p>
<div class="qr">${qr}</div>
<p><a href="${esc(walletUrl)}" id="wallet-link">Åpne i lommeboka på denne enheten / Open in the wallet on this device</a></p>
<p class="muted">Gjelder til / Valid until ${esc(new Date(result.expiresAt).toISOString())}</p>`)
    }

    app.get<{ Params: { id: string }, Querystring: { response_code?: string } }>('/share/wallet/:id', {
      // Open to anyone at the edge: the request's secret cookie decides, in the verifier.
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: { tags: ['eudi'], summary: 'The presentation request (QR code) and, once answered, the verified claims; in the browser that made it', params: idParams, querystring: { type: 'object', properties: { response_code: { type: 'string', maxLength: 100 } } } }
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
