/**
 * The edge of the node's HTTP API: who may call each route.
 *
 * Every route declares its caller policy in its options (`config: { policy }`). One `onRequest`
 * hook enforces it before the body is parsed or a handler runs, and puts the authenticated
 * caller on `request.caller`. A node refuses to start if any route has no policy, or a policy
 * whose caller kind nobody on the node can authenticate: a route cannot be forgotten.
 *
 * The kinds of caller, and who checks them:
 * - `public`: anyone (the route exposes nothing personal; rate limits apply).
 * - `learner`: a signed-in learner: the portal's session, or a learner bearer token from an
 *   issuer the node trusts.
 * - `service`: a system of the organisation that runs the node: a service bearer token carrying
 *   the route's scope.
 * - `share-holder`: whoever holds a share's link; the access code is checked by the share
 *   service, which also locks a share after failed attempts.
 * - `oots-gateway`: the national OOTS access point, on the OOTS listener only: its TLS client
 *   certificate must be one the config pins (src/edges/bridges/oots/gateway.ts).
 * - `wallet`: an OAuth client of the credential issuer, or a wallet answering a presentation
 *   request; the endpoint checks its protocol's own credentials (pre-authorised code and
 *   transaction code, authorization code with PKCE, wallet attestation, access token, DPoP and
 *   key proofs; a presentation's request state, nonce and key binding).
 * - `emrex-client`: a learner's browser arriving from an EMREX client registered in config; the
 *   provider checks the return URL against the registered clients, then the transfer's browser secret.
 * - `emrex-provider`: a learner's browser returning from a foreign EMREX provider; the import is
 *   found by its session ID and the ELMO document checked against the provider's certificates.
 * - `development`: the development issuer and simulated nodes of test and demo federations.
 * - `staff`: a member of the institution's staff signed in to its workbench (the workbench's
 *   session cookie, src/services/workbench/); the route's policy names the permission it needs
 *   (`may`), which the member's roles must grant.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import type { StaffPermission } from '../../core/config/workbench.ts'

export type { StaffPermission } from '../../core/config/workbench.ts'

/** The routes with limits of their own (their limits: src/edges/http/rate-limits.ts). */
export const RATE_LIMIT_NAMES = ['signIn', 'shareOpen', 'walletToken', 'walletCredential', 'emrexEntry', 'walletPresentation'] as const
export type RateLimitName = typeof RATE_LIMIT_NAMES[number]

export type CallerKind = 'public' | 'learner' | 'service' | 'share-holder' | 'oots-gateway' | 'wallet' | 'emrex-client' | 'emrex-provider' | 'development' | 'staff'

export const CALLER_KINDS: readonly CallerKind[] = ['public', 'learner', 'service', 'share-holder', 'oots-gateway', 'wallet', 'emrex-client', 'emrex-provider', 'development', 'staff']

/** Who may call a route: declared in every route's options as `config: { policy }`. */
export type RoutePolicy =
  | { readonly caller: 'service', readonly scope: string }
  | { readonly caller: 'staff', readonly may: StaffPermission }
  | { readonly caller: Exclude<CallerKind, 'service' | 'staff'> }

/** How a route's errors are rendered: JSON, an HTML page, OAuth 2.0 errors or OOTS EDM errors. */
export type ErrorStyle = 'json' | 'page' | 'oauth' | 'edm'

/** The caller of a request once its route's policy has been checked. */
export type Caller =
  | { readonly kind: 'anonymous' }
  | LearnerCaller
  | { readonly kind: 'service', readonly subject: string, readonly scopes: readonly string[], readonly issuer: string }
  | { readonly kind: 'oots-gateway', readonly id: string, readonly name: string }
  | StaffCaller

/** A member of the institution's staff signed in to the workbench. */
export interface StaffCaller {
  readonly kind: 'staff'
  /** Their handle in the node's config (what the audit records; never their sign-in subject). */
  readonly id: string
  readonly name: string
  readonly roles: readonly string[]
  readonly permissions: readonly StaffPermission[]
}

/** A signed-in learner, as far as the authenticator that recognised them knows. */
export interface LearnerCaller {
  readonly kind: 'learner'
  /** The sign-in's subject: a national ID or education ID. Never logged. */
  readonly subject: string
  /** Which of the two the subject is, when the authenticator knows. */
  readonly scheme?: 'national-id' | 'education-id'
  readonly issuer: string
  readonly givenNames?: string
  readonly familyName?: string
  readonly birthDate?: string
  /** When the session or token ends (Unix ms). */
  readonly expiresAt?: number
}

/**
 * Checks a request against one kind of caller. Returns the caller, or undefined when the request
 * carries no credential this authenticator knows (the next one of the same kind is asked);
 * throws when it carries one that does not hold.
 */
export type Authenticator = (request: FastifyRequest, policy: RoutePolicy) => Promise<Caller | undefined>

/** The authenticators a module brings, by caller kind. */
export type Authenticators = Partial<Record<CallerKind, readonly Authenticator[]>>

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (required on every route: the node refuses to start without). */
    policy?: RoutePolicy
    /** How its errors are rendered (default JSON). */
    errors?: ErrorStyle
    /**
     * The route's own rate limit (src/edges/http/rate-limits.ts; configured in `http.rateLimit`), or
     * `false` for none. Without it, routes any caller may call share the public limit and
     * authenticated routes have none.
     */
    limit?: RateLimitName | false
    /** Where a page of this route sends a browser that has no session (default: the node's sign-in path, for learners). */
    signIn?: string
  }
  interface FastifyRequest {
    /** The caller, once the route's policy has been checked (anonymous for public routes). */
    caller: Caller
  }
}

const ANONYMOUS: Caller = { kind: 'anonymous' }

/** Kinds whose check is the route's own protocol (documented in the module): the edge lets them through. */
const CHECKED_BY_ROUTE: ReadonlySet<CallerKind> = new Set(['public', 'share-holder', 'wallet', 'emrex-client', 'emrex-provider', 'development'])

/** Whether the edge lets any caller through to routes of this kind (their protocol checks the caller, if anything does). */
export function openToAnyone (kind: CallerKind): boolean {
  return CHECKED_BY_ROUTE.has(kind)
}

/** Merges the authenticators of several modules, keeping each kind's order. */
export function mergeAuthenticators (all: readonly Authenticators[]): Authenticators {
  const out: Partial<Record<CallerKind, Authenticator[]>> = {}
  for (const a of all) {
    for (const kind of CALLER_KINDS) {
      const list = a[kind]
      if (list !== undefined) (out[kind] ??= []).push(...list)
    }
  }
  return out
}

/** A route as the policy table lists it. */
export interface RouteEntry {
  readonly method: string
  readonly url: string
  readonly policy: RoutePolicy | undefined
  readonly errors: ErrorStyle
  /** Its own rate limit, if it names one (src/edges/http/rate-limits.ts). */
  readonly limit?: RateLimitName | false
  /** Why it accepts state-changing requests from other sites, if it does (src/edges/http/csrf.ts). */
  readonly crossSite?: string
}

/**
 * Installs the caller policy on an app: call before any route is added. Returns the route table
 * (filled as routes are added) and `check()`, which throws `HTTP_ROUTE_POLICY_MISSING` naming
 * every route without a usable policy; call it once every route is registered.
 */
export function installCallerPolicy (app: FastifyInstance, authenticators: Authenticators, options: { signInPath?: string, onRefused?: (code: string) => void } = {}): { routes: RouteEntry[], check: () => void } {
  const routes: RouteEntry[] = []
  app.decorateRequest('caller', {
    getter () {
      return ANONYMOUS
    }
  })
  app.addHook('onRoute', (route: RouteOptions) => {
    const limit = route.config?.limit
    const crossSite = route.config?.crossSite
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, policy: route.config?.policy, errors: route.config?.errors ?? 'json', ...(limit === undefined ? {} : { limit }), ...(crossSite === undefined ? {} : { crossSite }) })
    }
  })
  app.addHook('onRequest', async (request, reply) => {
    const { policy, errors } = request.routeOptions.config
    // No route matched: the not-found handler answers; nothing is exposed.
    if (policy === undefined) return
    let caller: Caller
    try {
      caller = await authenticate(request, policy, authenticators)
    } catch (err) {
      options.onRefused?.(err instanceof LifelongError ? err.code : 'AUTH_FAILED')
      // A page for signed-in learners (or staff), opened without a session: sign in, then come back to it.
      const signIn = request.routeOptions.config.signIn ?? options.signInPath
      if (signIn !== undefined && errors === 'page' && request.method === 'GET' && err instanceof LifelongError && (err.code === 'AUTH_SIGN_IN_REQUIRED' || err.code === 'WORKBENCH_SIGN_IN_REQUIRED')) {
        return await reply.redirect(`${signIn}?returnTo=${encodeURIComponent(request.url.split('?')[0] as string)}`, 303)
      }
      throw err
    }
    Object.defineProperty(request, 'caller', { value: caller, enumerable: true })
  })
  const check = (): void => {
    const bad = routes.filter((r) => !usable(r.policy, authenticators)).map((r) => `${r.method} ${r.url}${r.policy === undefined ? '' : ` (nobody on this node authenticates ${r.policy.caller})`}`)
    if (bad.length > 0) throw new LifelongError('internal', 'HTTP_ROUTE_POLICY_MISSING', `every route must declare who may call it (config.policy); these do not: ${bad.join(', ')}`)
  }
  return { routes, check }
}

function usable (policy: RoutePolicy | undefined, authenticators: Authenticators): boolean {
  if (policy === undefined || !CALLER_KINDS.includes(policy.caller)) return false
  if (policy.caller === 'service' && (typeof policy.scope !== 'string' || policy.scope === '')) return false
  if (policy.caller === 'staff' && typeof policy.may !== 'string') return false
  return CHECKED_BY_ROUTE.has(policy.caller) || (authenticators[policy.caller]?.length ?? 0) > 0
}

async function authenticate (request: FastifyRequest, policy: RoutePolicy, authenticators: Authenticators): Promise<Caller> {
  if (CHECKED_BY_ROUTE.has(policy.caller)) return ANONYMOUS
  for (const authenticator of authenticators[policy.caller] ?? []) {
    const caller = await authenticator(request, policy)
    if (caller !== undefined) return caller
  }
  if (request.headers.authorization !== undefined) throw new LifelongError('unauthenticated', 'AUTH_BEARER_INVALID', 'the Authorization header does not hold a token of an issuer this node trusts')
  if (policy.caller === 'staff') throw new LifelongError('unauthenticated', 'WORKBENCH_SIGN_IN_REQUIRED', 'sign in to the workbench first')
  throw policy.caller === 'learner'
    ? new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in first')
    : new LifelongError('unauthenticated', 'AUTH_BEARER_MISSING', 'a bearer token is required')
}
