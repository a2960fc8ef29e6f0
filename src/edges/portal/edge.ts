/**
 * What the HTTP edge takes of the portal (src/edges/http/edge.ts, csrf.ts): its learners, from
 * the session cookie or an ID token of the portal's issuer as bearer, and the CSRF token of a
 * request's session. Both read the portal's sessions when a request comes, not before.
 */
import type { PortalModule } from '../../services/portal/module.ts'
import type { Authenticators } from '../http/edge.ts'
import type { CsrfTokenSource } from '../http/csrf.ts'
import { bearerIssuer } from '../http/auth.ts'
import type { SignedInLookup } from '../http/error-page.ts'

/** The HTTP edge's learner authenticator: the portal's session cookie, or an ID token of its issuer as bearer. */
export function portalAuthenticators (portal: PortalModule): Authenticators {
  return {
    learner: [async (request) => {
      // A bearer token of another issuer is not a portal sign-in (the node's auth.issuers may know it).
      if (request.headers.authorization !== undefined && bearerIssuer(request) !== portal.sessions.issuer) return undefined
      const identity = await portal.sessions.identify(request)
      if (identity === undefined) return undefined
      return {
        kind: 'learner',
        subject: identity.subject.value,
        scheme: identity.subject.scheme,
        issuer: portal.sessions.issuer,
        givenNames: identity.givenNames,
        familyName: identity.familyName,
        expiresAt: identity.expiresAt,
        ...(identity.birthDate === undefined ? {} : { birthDate: identity.birthDate })
      }
    }]
  }
}

/** The CSRF token of a request's session, for the HTTP edge (src/edges/http/csrf.ts). */
export function portalCsrfTokens (portal: PortalModule): CsrfTokenSource {
  return async (request) => await portal.sessions.csrfTokenOf(request)
}

/** Who is signed in at the portal on any request (for the header of an error page), with the session's CSRF token. */
export function portalSignedIn (portal: PortalModule): SignedInLookup {
  return async (request) => {
    const identity = await portal.sessions.identify(request)
    if (identity === undefined) return undefined
    const csrf = await portal.sessions.csrfTokenOf(request)
    return { name: `${identity.givenNames} ${identity.familyName}`.trim(), ...(csrf === undefined ? {} : { csrf }) }
  }
}
