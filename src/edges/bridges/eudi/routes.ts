/**
 * HTTP routes of the EUDI issuer: the OpenID4VCI endpoints wallets call (metadata, PAR, token,
 * nonce, credential), the authorization endpoint where the learner signs in at the portal and
 * approves a wallet's request, the Status List Tokens and Type Metadata relying parties fetch,
 * and the portal pages where a signed-in learner picks results and gets the offer as a QR code
 * and link.
 *
 * Protocol endpoints answer protocol errors (`{ error, error_description }`, OpenID4VCI §6.3 and
 * §8.3.1, RFC 6750 §3, RFC 9449 §7), never the node's `{ code, message }`: they declare
 * `errors: 'oauth'` and the node's one error handler renders the {@link OAuthError}s they throw.
 * Token and PAR requests are form-encoded (RFC 6749 §4.1.3, RFC 9126 §2.1), parsed by the edge.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { LifelongError } from '../../../core/errors.ts'
import { OAuthError } from '../../../core/oauth-error.ts'
import type { LearnerSessions, SignedInLearner, VerifiedResults } from '../../../services/bridges/ports.ts'
import type { ResultFacts } from '../../../core/bridges/model.ts'
import { esc, sendBridgePage } from '../html.ts'
import { csrfField } from '../../ui/html.ts'
import { langOf } from '../../ui/lang.ts'
import { localText } from '../../ui/text.ts'
import { formatDate, formatDateTime } from '../../ui/format.ts'
import { WALLET_TEXTS } from '../texts.ts'
import { CONFIGURATION_IDS, offerItems, WALLET_PURPOSE, type EudiIssuer } from '../../../services/bridges/eudi/issuer.ts'
import type { ClientHeaders, PendingAuthorization } from '../../../services/bridges/eudi/authorization-server.ts'
import type { OfferRecord } from '../../../services/bridges/eudi/records.ts'
import { credentialKindOf } from '../../../services/bridges/eudi/claims.ts'

export { WALLET_PURPOSE }

export interface EudiRoutesDeps {
  issuer: EudiIssuer
  sessions: LearnerSessions
  results: VerifiedResults
}

const oauthErrorSchema = { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } } } as const
const looseObject = { type: 'object', additionalProperties: true } as const
const resultsField = { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 200 } }] } as const

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

const list = (v: string | string[] | undefined): string[] => v === undefined ? [] : Array.isArray(v) ? v : [v]

/** The DPoP proof and wallet attestation headers of a request (RFC 9449 §4.1; ABCA-07 §6.1). */
function clientHeaders (request: FastifyRequest): ClientHeaders {
  const h = request.headers
  return {
    ...(h.dpop === undefined ? {} : { dpop: h.dpop }),
    ...(h['oauth-client-attestation'] === undefined ? {} : { attestation: h['oauth-client-attestation'] }),
    ...(h['oauth-client-attestation-pop'] === undefined ? {} : { attestationPop: h['oauth-client-attestation-pop'] })
  }
}

/** Where a decision may send the browser, for the page's CSP `form-action`: the redirect URI's origin, or its private-use scheme. */
function redirectSource (redirectUri: string): string {
  const u = new URL(redirectUri)
  return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : u.protocol
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

    app.get('/.well-known/openid-credential-issuer', {
      config: { policy: { caller: 'public' } },
      schema: { tags: ['eudi'], summary: 'Credential Issuer Metadata (OpenID4VCI 1.0 §12.2); signed (application/jwt, §12.2.3) when asked for and the issuer key has a certificate chain', response: { 200: looseObject } }
    }, async (request, reply) => {
      void reply.header('cache-control', 'max-age=300').header('vary', 'accept')
      // §12.2.2: a wallet asks for the signed metadata with Accept: application/jwt.
      const signed = (request.headers.accept ?? '').includes('application/jwt') ? issuer.signedIssuerMetadata() : undefined
      if (signed !== undefined) return await reply.header('content-type', 'application/jwt').send(signed)
      return await reply.send(issuer.issuerMetadata())
    })
    app.get(
      '/.well-known/oauth-authorization-server',
      { config: { policy: { caller: 'public' } }, schema: { tags: ['eudi'], summary: 'Authorization Server Metadata (RFC 8414)', response: { 200: looseObject } } },
      async () => issuer.authorizationServerMetadata()
    )
    app.get('/.well-known/jwt-vc-issuer', { config: { policy: { caller: 'public' } }, schema: { tags: ['eudi'], summary: 'JWT VC Issuer Metadata (SD-JWT VC §5)', response: { 200: looseObject } } }, async (_req, reply) => {
      return await reply.header('cache-control', 'max-age=300').send(issuer.jwtVcIssuerMetadata())
    })

    app.get<{ Params: { kind: string } }>('/vct/:kind/1', {
      config: { policy: { caller: 'public' } },
      schema: {
        tags: ['eudi'],
        summary: 'SD-JWT VC Type Metadata of a learning credential type',
        params: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: ['learning-credential', 'diploma', 'course-result'] } } }
      }
    }, async (request, reply) => {
      const doc = issuer.typeMetadata().byVct.get(`${issuer.issuer}/vct/${request.params.kind}/1`)
      if (doc === undefined) throw new LifelongError('not-found', 'EUDI_TYPE_NOT_FOUND', 'no such credential type')
      // The exact bytes whose SRI is in `vct#integrity`.
      return await reply.header('content-type', 'application/json').header('cache-control', 'max-age=3600').send(doc)
    })

    app.post('/eudi/par', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletToken' },
      schema: {
        tags: ['eudi'],
        summary: 'Pushed Authorization Request endpoint (RFC 9126; HAIP 1.0 §4): PKCE S256, redirect_uri, scope or authorization_details, wallet attestation and DPoP headers',
        consumes: ['application/x-www-form-urlencoded'],
        body: looseObject,
        response: { 201: looseObject, '4xx': oauthErrorSchema }
      }
    }, async (request, reply) => {
      const body = await issuer.authorization.par((request.body ?? {}) as Record<string, unknown>, clientHeaders(request))
      return await reply.status(201).header('cache-control', 'no-cache, no-store').send(body)
    })

    app.post('/eudi/token', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletToken' },
      schema: {
        tags: ['eudi'],
        summary: 'Token endpoint: pre-authorized code with transaction code, authorization code with PKCE, refresh token (OpenID4VCI 1.0 §6; DPoP, RFC 9449; wallet attestation)',
        consumes: ['application/x-www-form-urlencoded'],
        body: looseObject,
        response: { 200: looseObject, '4xx': oauthErrorSchema }
      }
    }, async (request, reply) => {
      const body = await issuer.token((request.body ?? {}) as Record<string, unknown>, clientHeaders(request))
      return await reply.header('cache-control', 'no-store').send(body)
    })

    app.post('/eudi/nonce', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletCredential' },
      schema: { tags: ['eudi'], summary: 'Nonce endpoint (OpenID4VCI 1.0 §7)', response: { 200: { type: 'object', properties: { c_nonce: { type: 'string' } } } } }
    }, async (_req, reply) => {
      return await reply.header('cache-control', 'no-store').send({ c_nonce: await issuer.nonce() })
    })

    app.post('/eudi/credential', {
      config: { policy: { caller: 'wallet' }, errors: 'oauth', limit: 'walletCredential' },
      schema: { tags: ['eudi'], summary: 'Credential endpoint (OpenID4VCI 1.0 §8): one credential per proved key (batch), Bearer or DPoP-bound token', body: looseObject, response: { 200: looseObject, '4xx': oauthErrorSchema } }
    }, async (request, reply) => {
      const h = request.headers
      const body = await issuer.credential({ ...(h.authorization === undefined ? {} : { authorization: h.authorization }), ...(h.dpop === undefined ? {} : { dpop: h.dpop }) }, request.body)
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

    // ---------------------------------------------------------------- the authorization endpoint

    /**
     * The pushed request the learner's browser brings. The authorization endpoint is a page: a
     * request_uri that is unknown, expired, used or another client's is shown to the learner as
     * such, never redirected (RFC 6749 §4.1.2.1), with a code the error page explains.
     */
    const pendingRequest = async (requestUri: unknown, clientId: unknown): Promise<PendingAuthorization & { offer?: OfferRecord }> => {
      try {
        return await issuer.authorization.pending(requestUri, clientId)
      } catch (err) {
        if (err instanceof OAuthError) throw new LifelongError('invalid', 'EUDI_AUTHORIZATION_REQUEST_INVALID', err.message)
        throw err
      }
    }

    /**
     * What the learner is asked to approve, in the portal's shell and their language: which wallet
     * asks, where the answer goes, and the offer's results or their results of the scoped types to
     * pick from. With `error`, the learner approved with nothing picked: the form again, the
     * message at the results.
     */
    const consentPage = async (request: FastifyRequest, reply: FastifyReply, pending: PendingAuthorization & { offer?: OfferRecord }, learner: SignedInLearner, error?: string): Promise<FastifyReply> => {
      const lang = langOf(request)
      const t = WALLET_TEXTS[lang]
      const who = `<p>${esc(t.consentWallet)}: <strong>${esc(pending.walletName ?? pending.clientId)}</strong>${pending.walletName === undefined ? '' : ` <span class="muted">(${esc(pending.clientId)})</span>`}</p>
<p class="muted">${esc(t.consentAnswerTo)} <code>${esc(redirectSource(pending.redirectUri))}</code></p>`
      const describedBy = error === undefined ? '' : ' aria-describedby="results-error"'
      let what: string
      let canApprove = true
      if (pending.offer !== undefined) {
        what = `<h2>${esc(t.consentOffer)}</h2><ul>${pending.offer.items.map((i) => `<li>${localText(i.claims.title, lang)}</li>`).join('')}</ul>`
      } else {
        const mine = await deps.results.forLearner(learner.learnerId, WALLET_PURPOSE)
        await issuer.observeResults(mine.results)
        const wanted = new Set(pending.configurationIds)
        const rows = issuable(mine.results).filter((r) => wanted.has(CONFIGURATION_IDS[credentialKindOf(r.kind)]))
        canApprove = rows.length > 0
        what = rows.length === 0
          ? `<p>${esc(t.consentNoneOfType)}</p>`
          : `<fieldset${describedBy}><legend>${esc(t.consentPick)}</legend>${error === undefined ? '' : `<p id="results-error" class="field-error">${esc(error)}</p>`}<ul class="cards">${
            rows.map((r, i) =>
              `<li class="card pickable"><input type="checkbox" id="a-${i}" name="results" value="${esc(r.id)}"${error === undefined ? ' checked' : ''}${describedBy}><div><label for="a-${i}">${
                localText(r.title, lang)
              }</label><p class="muted">${localText(r.issuer.names, lang)} · ${esc(formatDate(r.achievedOn, lang))}</p></div></li>`
            ).join('')
          }</ul></fieldset>`
      }
      const body = `${who}${error === undefined ? '' : `<div class="notice" role="alert"><p>${esc(error)}</p></div>`}
<form method="post" action="/eudi/authorize" novalidate>${csrfField(request.csrfToken)}<input type="hidden" name="client_id" value="${esc(pending.clientId)}"><input type="hidden" name="request_uri" value="${esc(pending.requestUri)}">${what}
<div class="actions">${canApprove ? `<button type="submit" name="decision" value="approve">${esc(t.consentApprove)}</button>` : ''}<button type="submit" name="decision" value="deny" class="secondary">${
  esc(t.consentRefuse)
}</button></div></form>`
      // The decision's answer redirects to the wallet: CSP `form-action` must allow its redirect URI.
      return await sendBridgePage(request, reply, learner, {
        title: t.consentTitle,
        body,
        here: `/eudi/authorize?client_id=${encodeURIComponent(pending.clientId)}&request_uri=${encodeURIComponent(pending.requestUri)}`,
        formAction: [redirectSource(pending.redirectUri)],
        ...(error === undefined ? {} : { status: 400 })
      })
    }

    app.get<{ Querystring: { client_id?: string, request_uri?: string } }>('/eudi/authorize', {
      // Open to anyone: the learner signs in here (the edge's sign-in redirect would drop the query).
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: {
        tags: ['eudi'],
        summary: 'Authorization endpoint (RFC 9126 §4: client_id and request_uri of a pushed request): the learner signs in at the portal and approves',
        querystring: { type: 'object', properties: { client_id: { type: 'string', maxLength: 500 }, request_uri: { type: 'string', maxLength: 200 } } }
      }
    }, async (request, reply) => {
      const pending = await pendingRequest(request.query.request_uri, request.query.client_id)
      const learner = await deps.sessions.learnerOf(request)
      if (learner === undefined) {
        const back = `/eudi/authorize?client_id=${encodeURIComponent(pending.clientId)}&request_uri=${encodeURIComponent(pending.requestUri)}`
        await deps.sessions.requireSignIn(request, reply, back)
        return reply
      }
      if (pending.offer !== undefined && pending.offer.learnerId !== learner.learnerId) throw new LifelongError('forbidden', 'EUDI_OFFER_NOT_YOURS', 'this wallet offer was made for another learner: sign in as them, or make your own offer')
      return await consentPage(request, reply, pending, learner)
    })

    app.post<{ Body: { client_id: string, request_uri: string, decision: string, results?: string | string[] } }>('/eudi/authorize', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        tags: ['eudi'],
        summary: 'The learner approves or refuses a wallet\'s authorization request; the browser goes back to the wallet with the code (and iss, RFC 9207)',
        body: {
          type: 'object',
          required: ['client_id', 'request_uri', 'decision'],
          properties: { client_id: { type: 'string', maxLength: 500 }, request_uri: { type: 'string', maxLength: 200 }, decision: { type: 'string', enum: ['approve', 'deny'] }, results: resultsField }
        }
      }
    }, async (request, reply) => {
      const learner = await signedIn(request)
      const { client_id: clientId, request_uri: requestUri } = request.body
      if (request.body.decision === 'deny') return await reply.redirect(await issuer.authorization.deny(requestUri, clientId), 303)
      const pending = await pendingRequest(requestUri, clientId)
      let items: ReturnType<typeof offerItems> = []
      if (pending.offer === undefined) {
        const wanted = new Set(list(request.body.results))
        const mine = await deps.results.forLearner(learner.learnerId, WALLET_PURPOSE)
        await issuer.observeResults(mine.results)
        const allowed = new Set(pending.configurationIds)
        const choices = issuable(mine.results).filter((r) => allowed.has(CONFIGURATION_IDS[credentialKindOf(r.kind)]))
        // Approved with nothing picked among results to pick from: the form again, the message at the results; nothing decided.
        if (wanted.size === 0 && choices.length > 0) return await consentPage(request, reply, pending, learner, WALLET_TEXTS[langOf(request)].pickAtLeastOne)
        const chosen = choices.filter((r) => wanted.has(r.id))
        if (chosen.length === 0 || chosen.length !== wanted.size) throw new LifelongError('not-found', 'EUDI_RESULT_NOT_FOUND', 'pick at least one of your valid results of the type the wallet asks for')
        items = offerItems(mine.learner, chosen)
      }
      return await reply.redirect(await issuer.authorization.approve(requestUri, clientId, learner.learnerId, items), 303)
    })

    // ---------------------------------------------------------------- the learner's pages

    /**
     * The picker: the learner's valid results to choose from, and how the wallet gets them; with
     * `error`, the form came back with nothing chosen. Results whose credentials were revoked
     * because the result was corrected are offered again in one click.
     */
    const walletPicker = async (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner, error?: string): Promise<FastifyReply> => {
      const mine = await deps.results.forLearner(learner.learnerId, WALLET_PURPOSE)
      await issuer.observeResults(mine.results)
      const corrected = new Set((await issuer.corrected(mine.results)).map((r) => r.id))
      const lang = langOf(request)
      const t = WALLET_TEXTS[lang]
      const describedBy = error === undefined ? '' : ' aria-describedby="results-error"'
      const items = issuable(mine.results).map((r, i) =>
        `<li class="card pickable"><input type="checkbox" id="w-${i}" name="results" value="${esc(r.id)}"${corrected.has(r.id) ? ' checked' : ''}${describedBy}><div><label for="w-${i}">${localText(r.title, lang)}</label><p class="muted">${
          localText(r.issuer.names, lang)
        } · ${esc(formatDate(r.achievedOn, lang))}</p>${corrected.has(r.id) ? `<p><strong>${esc(t.correctedMark)}</strong></p>` : ''}</div></li>`
      )
      // Corrected results: their old credentials were revoked; one click gets the corrected ones.
      const refresh = corrected.size === 0
        ? ''
        : `<section aria-labelledby="corrected"><h2 id="corrected">${esc(t.correctedTitle)}</h2><p>${esc(t.correctedLead)}</p>
<form method="post" action="/portal/wallet/offers">${csrfField(request.csrfToken)}${[...corrected].map((id) => `<input type="hidden" name="results" value="${esc(id)}">`).join('')}<button type="submit">${
  esc(t.correctedGet)
}</button></form></section>`
      const grants = `<fieldset><legend>${esc(t.grantLegend)}</legend><ul class="plain">
<li><label><input type="radio" name="grant" value="pre-authorized" checked> ${esc(t.grantPreAuthorized)}</label></li>
<li><label><input type="radio" name="grant" value="authorization_code"> ${esc(t.grantAuthorizationCode)}</label></li></ul></fieldset>`
      const form = items.length === 0
        ? `<p>${esc(t.noResults)}</p>`
        : `<form method="post" action="/portal/wallet/offers" novalidate>${csrfField(request.csrfToken)}<fieldset${describedBy}><legend>${esc(t.pick)}</legend>${
          error === undefined ? '' : `<p id="results-error" class="field-error">${esc(error)}</p>`
        }<ul class="cards">${items.join('')}</ul></fieldset>${grants}<p><button type="submit">${esc(t.createOffer)}</button></p></form>`
      return await sendBridgePage(request, reply, learner, {
        title: t.title,
        body: `<p>${esc(t.lead)}</p>${error === undefined ? '' : `<div class="notice" role="alert"><p>${esc(error)}</p></div>`}${refresh}${form}<p><a href="/portal/results">${esc(t.back)}</a></p>`,
        here: '/portal/wallet',
        ...(error === undefined ? {} : { status: 400 })
      })
    }

    app.get('/portal/wallet', { config: { policy: { caller: 'learner' }, errors: 'page' }, schema: { tags: ['eudi'], summary: 'Page: pick results to put in your EUDI wallet', hide: false } }, async (request, reply) => {
      return await walletPicker(request, reply, await signedIn(request))
    })

    app.post<{ Body: { results?: string | string[], grant?: string } }>('/portal/wallet/offers', {
      config: { policy: { caller: 'learner' }, errors: 'page' },
      schema: {
        tags: ['eudi'],
        summary: 'Create a credential offer of chosen results for the signed-in learner (QR code, link and, pre-authorised, the transaction code); a form with nothing chosen is shown again',
        body: { type: 'object', properties: { results: resultsField, grant: { type: 'string', enum: ['pre-authorized', 'authorization_code'] } } }
      }
    }, async (request, reply) => {
      const learner = await signedIn(request)
      const picked = list(request.body?.results)
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
      const grant = request.body?.grant === 'authorization_code' ? 'authorization_code' : 'pre-authorized'
      const offer = await issuer.createOffer(learner.learnerId, mine.learner, chosen, grant)
      // Low error correction and the offer URI with only the escapes a query needs: the fewest
      // modules for the offer, so each is large enough to scan (ISO/IEC 18004 level L, 7 %).
      const qrSvg = await QRCode.toString(compactOfferUri(offer.offerUri), { type: 'svg', errorCorrectionLevel: 'L', margin: 4 })
      if (wantsJson) {
        return await reply.header('cache-control', 'no-store').send({
          offerId: offer.offerId,
          offerUri: offer.offerUri,
          ...(offer.txCode === undefined ? {} : { txCode: offer.txCode }),
          expiresAt: new Date(offer.expiresAt).toISOString(),
          qrSvg
        })
      }
      const lang = langOf(request)
      const t = WALLET_TEXTS[lang]
      const body = `<p>${esc(t.scan)}</p>
<div class="qr" role="img" aria-label="${esc(t.offerTitle)}">${qrSvg}</div>
<p><a href="${esc(offer.offerUri)}" id="open-in-wallet">${esc(t.openHere)}</a></p>
${
  offer.txCode === undefined
    ? `<p>${esc(t.signInFromWallet)}</p>`
    : `<h2>${esc(t.txCode)}</h2><p id="tx-code" class="code">${esc(offer.txCode)}</p>\n<p class="muted">${esc(t.txCodeHint)}</p>`
}
<p class="muted">${esc(t.validUntil(formatDateTime(offer.expiresAt, lang)))}</p>
<h2>${esc(t.inOffer)}</h2><ul>${chosen.map((r) => `<li>${localText(r.title, lang)}</li>`).join('')}</ul>
<p><a href="/portal/results">${esc(t.back)}</a></p>`
      return await sendBridgePage(request, reply, learner, { title: t.offerTitle, body, here: '/portal/wallet' })
    })
  }
}
