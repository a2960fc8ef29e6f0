/** Error codes of who the caller is: bearer tokens at the edge. */
import { errorModule } from './define.ts'

const ABOUT = 'who the caller is: bearer tokens at the edge (edges/http/auth.ts) and the learner\'s sign-in (services/portal: OIDC, sessions)'

/** Each code of `AUTH`, on one line: the kind it is thrown with, and what it means. */
export const AUTH_ERRORS = errorModule('AUTH', ABOUT, {
  AUTH_BEARER_INVALID: ['unauthenticated', 'the bearer token is not a JWT, does not verify (signature, audience, validity), or names no subject'],
  AUTH_BEARER_MISSING: ['unauthenticated', 'the route needs a bearer token and the request has none'],
  AUTH_CLIENT_SECRET_UNREADABLE: ['unavailable', 'the OIDC client secret file cannot be read'],
  AUTH_DEV_ISSUER_NOT_READY: ['unavailable', 'the development issuer has not started'],
  AUTH_NO_LEARNER: ['forbidden', 'the sign-in names no learner (neither a national ID nor an education ID)'],
  AUTH_NO_SUCH_SAMPLE_LEARNER: ['not-found', 'the development issuer has no such sample learner'],
  AUTH_PKCE_REQUIRED: ['invalid', 'the development issuer needs an S256 code_challenge'],
  AUTH_SCOPE_MISSING: ['forbidden', 'the bearer token lacks the scope the route needs'],
  AUTH_SIGN_IN_INVALID: ['unauthenticated', 'the sign-in answer was not started here, or took too long'],
  AUTH_SIGN_IN_REFUSED: ['unauthenticated', 'the sign-in service refused the sign-in'],
  AUTH_SIGN_IN_REQUIRED: ['unauthenticated', 'the route is for a signed-in learner and the request has no session'],
  AUTH_SIGN_IN_TOKEN_INVALID: ['unauthenticated', 'the sign-in service\'s ID token does not verify, or was not issued for this sign-in (nonce)'],
  AUTH_TOKEN_REQUEST_FAILED: [['unauthenticated', 'unavailable'], 'the sign-in service\'s token endpoint refused the code or did not answer, or none is set'],
  AUTH_UNKNOWN_CLIENT: ['invalid', 'the development issuer signs in to this portal only'],
  AUTH_UNKNOWN_ISSUER: ['unauthenticated', 'the bearer token\'s issuer is not one this node trusts'],
  AUTH_WRONG_PRINCIPAL: ['forbidden', 'the route is for an organisation\'s systems, and the token is a learner\'s (or the reverse)']
})
