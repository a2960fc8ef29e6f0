/**
 * HTTP routes of the EUDI issuer: the OpenID4VCI endpoints wallets call (metadata, token, nonce,
 * credential), the Status List Tokens and Type Metadata relying parties fetch, and the portal
 * pages where a signed-in learner picks results and gets the offer as a QR code and link.
 *
 * Protocol endpoints answer protocol errors (`{ error, error_description }`, OpenID4VCI §6.3 and
 * §8.3.1, RFC 6750 §3 for the bearer token), never the node's `{ code, message }`: they declare
 * `errors: 'oauth'` and the node's one error handler renders the {@link OAuthError}s they throw.
 * The token request is form-encoded (RFC 6749 §4.1.3), parsed by the HTTP edge.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { LifelongError } from '../../../core/errors.ts'
import type { LearnerSessions, SignedInLearner, VerifiedResults } from '../../../services/bridges/ports.ts'
import type { ResultFacts } from '../../../core/bridges/model.ts'
import { esc, sendBridgePage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import { langOf } from '../../ui/lang.ts'
import { localText } from '../../ui/text.ts'
import { formatDate, formatDateTime } from '../../ui/format.ts'
import { WALLET_TEXTS } from '../texts.ts'
import type { EudiIssuer } from '../../../services/bridges/eudi/issuer.ts'

export interface EudiRoutesDeps {
  issuer: EudiIssuer
  sessions: LearnerSessions
  results: VerifiedResults
}

/** Why the portal reads the learner's results when they start wallet issuance (started by the learner: consent). */
export const WALLET_PURPOSE = { purpose: 'eudi.wallet-issuance', legalBasis: 'gdpr-6-1-a' }

const oauthErrorSchema = { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } } } as const
const looseObject = { type: 'object', additionalProperties: true } as const

/** The results a learner may put in their wallet: the current version of each valid result. */
function issuable (results: readonly ResultFacts[]): ResultFacts[] {
  return results.filter((r) => r.status !== 'annulled')
}

/**
 * The same credential offer URI with ':', ',' and '/' left unescaped in its query, as RFC 3986
 * §3.4 allows (they are `pchar` and sub-delims): a wallet reads the same `credential_offer`
 * parameter, and the QR code needs fewer modules (77 instead of 81 for a typical offer at level L).
 */
export function compactOfferUri (uri: string): string {
  const at = uri.indexOf('?')
  return at < 0 ? uri : uri.slice(0, at + 1) + uri.slice(at + 1).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/')
}

export function eudiRoutes (deps: EudiRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const { issuer } = deps
    /** The learner of a route whose policy is `learner` (the edge let no one else through). */
    const signedIn = async (request: FastifyRequest): Promise<SignedInLearner> => {
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in at the portal first')
      return learner
    }

    app.get('/.well-known/openid-credential-issuer', { config: { policy: { caller: 'public' } }, schema: { tags: ['eudi'], summary: 'Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)', response: { 200: looseObject } } }, async (_req, reply) => {
      return await reply.header('cache-control', 'max-age=300').send(issuer.issuerMetadata())
    })
    app.get('/.well-known/oauth-authorization-server', { config: { policy: { caller: 'public' } }, schema: { tags: ['eudi'], summary: 'Authorization Server Metadata (RFC 8414)', response: { 200: looseObject } } }, async () => issuer.authorizationServerMetadata())
    app.get('/.well-known/jwt-vc-issuer', { config: { policy: { caller: 'public' } }, schema: { tags: ['eudi'], summary: 'JWT VC Issuer Metadata (SD-JWT VC §5)', response: { 200: looseObject } } }, async (_req, reply) => {
      return await reply.header('cache-control', 'max-age=300').send(issuer.jwtVcIssuerMetadata())
    })

    app.get<{ Params: { kind: string } }>('/vct/:kind/1', {
      config: { policy: { caller: 'public' } },
      schema: { tags: ['eudi'], summary: 'SD-JWT VC Type Metadata of a learning credential type', params: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: ['learning-credential', 'diploma', 'course-result'] } } } }
    }, async (request, reply) => {
      const doc = issuer.typeMetadata().byVct.get(`${issuer.issuer}/vct/${request.params.kind}/1`)
      if (doc === undefined) throw new LifelongError('not-found', 'EUDI_TYPE_NOT_FOUND', 'no such credential type')
      // The exact bytes whose SRI is in `vct#integrity`.
      return await reply.header('content-type', 'application/json').header('cache-control', 'max-age=3600').send(doc)
    })

    app.post('/eudi/token', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletToken' },
      schema: {
        tags: ['eudi'],
        summary: 'Token endpoint: Pre-Authorized Code grant with Transaction Code (OpenID4VCI 1.0 §6)',
        consumes: ['application/x-www-form-urlencoded'],
        body: looseObject,
        response: { 200: looseObject, '4xx': oauthErrorSchema }
      }
    }, async (request, reply) => {
      const body = await issuer.token((request.body ?? {}) as Record<string, unknown>)
      return await reply.header('cache-control', 'no-store').send(body)
    })

    app.post('/eudi/nonce', { config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletCredential' }, schema: { tags: ['eudi'], summary: 'Nonce endpoint (OpenID4VCI 1.0 §7)', response: { 200: { type: 'object', properties: { c_nonce: { type: 'string' } } } } } }, async (_req, reply) => {
      return await reply.header('cache-control', 'no-store').send({ c_nonce: await issuer.nonce() })
    })

    app.post('/eudi/credential', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletCredential' },
      schema: { tags: ['eudi'], summary: 'Credential endpoint (OpenID4VCI 1.0 §8)', body: looseObject, response: { 200: looseObject, '4xx': oauthErrorSchema } }
    }, async (request, reply) => {
      const body = await issuer.credential(request.headers.authorization, request.body)
      return await reply.header('cache-control', 'no-store').send(body)
    })

    app.get<{ Params: { listId: string } }>('/eudi/status-lists/:listId', {
      config: { policy: { caller: 'public' } },
      schema: { tags: ['eudi'], summary: 'Status List Token (draft-ietf-oauth-status-list §8)', params: { type: 'object', required: ['listId'], properties: { listId: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } } } }
    }, async (request, reply) => {
      const jwt = await issuer.statusListToken(request.params.listId)
      if (jwt === undefined) throw new LifelongError('not-found', 'EUDI_STATUS_LIST_NOT_FOUND', 'no such status list')
      return await reply.header('content-type', 'application/statuslist+jwt').header('cache-control', 'max-age=60').header('access-control-allow-origin', '*').send(jwt)
    })

    // ---------------------------------------------------------------- the learner's pages

    /** The picker: the learner's valid results to choose from; with `error`, the form came back with nothing chosen. */
    const walletPicker = async (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner, error?: string): Promise<FastifyReply> => {
      const mine = await deps.results.forLearner(learner.learnerId, WALLET_PURPOSE)
      await issuer.observeResults(mine.results)
      const lang = langOf(request)
      const t = WALLET_TEXTS[lang]
      const describedBy = error === undefined ? '' : ' aria-describedby="results-error"'
      const items = issuable(mine.results).map((r, i) => `<li class="card pickable"><input type="checkbox" id="w-${i}" name="results" value="${esc(r.id)}"${describedBy}><div><label for="w-${i}">${localText(r.title, lang)}</label><p class="muted">${localText(r.issuer.names, lang)} · ${esc(formatDate(r.achievedOn, lang))}</p></div></li>`)
      const form = items.length === 0
        ? `<p>${esc(t.noResults)}</p>`
        : `<form method="post" action="/portal/wallet/offers" novalidate>${csrfField(request.csrfToken)}<fieldset${describedBy}><legend>${esc(t.pick)}</legend>${error === undefined ? '' : `<p id="results-error" class="field-error">${esc(error)}</p>`}<ul class="cards">${items.join('')}</ul></fieldset><p><button type="submit">${esc(t.createOffer)}</button></p></form>`
      return await sendBridgePage(request, reply, learner, { title: t.title, body: `<p>${esc(t.lead)}</p>${error === undefined ? '' : `<div class="notice" role="alert"><p>${esc(error)}</p></div>`}${form}<p><a href="/portal/results">${esc(t.back)}</a></p>`, here: '/portal/wallet', ...(error === undefined ? {} : { status: 400 }) })
    }

    app.get('/portal/wallet', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { tags: ['eudi'], summary: 'Page: pick results to put in your EUDI wallet', hide: false } }, async (request, reply) => {
      return await walletPicker(request, reply, await signedIn(request))
    })

    app.post<{ Body: { results?: string | string[] } }>('/portal/wallet/offers', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        tags: ['eudi'],
        summary: 'Create a credential offer of chosen results for the signed-in learner (QR code, link and transaction code); a form with nothing chosen is shown again',
        body: { type: 'object', properties: { results: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 200 } }] } } }
      }
    }, async (request, reply) => {
      const learner = await signedIn(request)
      const picked = request.body?.results === undefined ? [] : Array.isArray(request.body.results) ? request.body.results : [request.body.results]
      const wantsJson = (request.headers.accept ?? '').includes('application/json')
      if (picked.length === 0) {
        if (wantsJson) throw new LifelongError('invalid', 'EUDI_NOTHING_CHOSEN', 'choose at least one result')
        return await walletPicker(request, reply, learner, WALLET_TEXTS[langOf(request)].pickAtLeastOne)
      }
      const wanted = new Set(picked)
      const mine = await deps.results.forLearner(learner.learnerId, WALLET_PURPOSE)
      await issuer.observeResults(mine.results)
      const chosen = issuable(mine.results).filter((r) => wanted.has(r.id))
      if (chosen.length !== wanted.size) throw new LifelongError('not-found', 'EUDI_RESULT_NOT_FOUND', 'a chosen result is not among your valid results')
      const offer = await issuer.createOffer(learner.learnerId, mine.learner, chosen)
      // Low error correction and the offer URI with only the escapes a query needs: the fewest
      // modules for the offer, so each is large enough to scan (ISO/IEC 18004 level L, 7 %).
      const qrSvg = await QRCode.toString(compactOfferUri(offer.offerUri), { type: 'svg', errorCorrectionLevel: 'L', margin: 4 })
      if (wantsJson) {
        return await reply.header('cache-control', 'no-store').send({ offerId: offer.offerId, offerUri: offer.offerUri, txCode: offer.txCode, expiresAt: new Date(offer.expiresAt).toISOString(), qrSvg })
      }
      const lang = langOf(request)
      const t = WALLET_TEXTS[lang]
      const body = `<p>${esc(t.scan)}</p>
<div class="qr" role="img" aria-label="${esc(t.offerTitle)}">${qrSvg}</div>
<p><a href="${esc(offer.offerUri)}" id="open-in-wallet">${esc(t.openHere)}</a></p>
<h2>${esc(t.txCode)}</h2><p class="code" id="tx-code">${esc(offer.txCode)}</p>
<p class="muted">${esc(t.txCodeHint)} ${esc(t.validUntil(formatDateTime(offer.expiresAt, lang)))}</p>
<h2>${esc(t.inOffer)}</h2><ul>${chosen.map((r) => `<li>${localText(r.title, lang)}</li>`).join('')}</ul>
<p><a href="/portal/results">${esc(t.back)}</a></p>`
      return await sendBridgePage(request, reply, learner, { title: t.offerTitle, body, here: '/portal/wallet' })
    })
  }
}
