/**
 * The Diploma portal (a node with the portal role): learners sign in, see all their results
 * fetched live from the sources and verified, share them, and see who read their data; an
 * employer opens a share with its code. Holds shares and openings, never results.
 *
 * What other flows reuse (the EMREX data provider, the wallet offer), kept small:
 * - {@link PortalModule.sessions}: `identify(request)` gives the signed-in learner (routes whose
 *   policy is `learner` take it from `request.caller`); `signInUrl(reply, returnTo)` starts a
 *   sign-in that comes back to `returnTo`. Sessions are server-side (src/services/portal/session-store.ts).
 * - {@link PortalModule.myResults}: the learner's results with a status per source.
 * - `resultCards` (src/edges/portal/pages.ts) with a `pick` name: the result picker, cards with
 *   labelled checkboxes whose values are result keys (`<org>:<result ID>`).
 * - {@link PortalModule.verifiedResultsFor}: the bridges' `LearnerResults` for picked keys.
 *
 * Its pages and routes, and what the HTTP edge takes of it (the learner authenticator, the
 * session's CSRF token), are in src/edges/portal/.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Federation } from '../../net/federation/federation.ts'
import type { Member } from '../../core/federation/manifest.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import { LifelongError } from '../../core/errors.ts'
import type { LearnerResults } from '../../core/bridges/model.ts'
import type { ForeignResultsImport } from '../bridges/ports.ts'
import type { OfferingCatalogue } from '../registry/results/ports.ts'
import type { LogWriter } from '../../store/log/unit-of-work.ts'
import { DEV_AUDIENCE } from '../../core/config/development.ts'
import type { SubjectId } from '../registry/results/model.ts'
import { HttpTokenClient, TokenVerifier, readClientSecret, type DevIssuer, type LearnerIdentity, type TokenClient } from './oidc.ts'
import type { PortalOidcConfig } from '../../core/config/config.ts'
import { stat } from 'node:fs/promises'
import { LearnerSessions } from './session.ts'
import { SessionStore, type SessionTimeouts } from './session-store.ts'
import type { SignaturePolicy } from '../../core/crypto/policy.ts'
import { ResultFetcher, everyInstitution, type FetchOutcome, type SourceDirectory } from './fetch.ts'
import { ShareStore } from './shares.ts'
import type { IndexAccessRow } from './index-directory.ts'
import { learnerResults } from '../registry/results/facts.ts'

export interface PortalModuleComponents {
  store: Sublevel
  log: LogWriter
  client: RpcClient
  federation: Federation
  logger: Logger
  /** "Where are L's results"; until the index is wired, every institution is asked. */
  directory?: SourceDirectory
  /** The index's log of who asked it about the learner (for "who saw my data"). */
  indexAccessLog?: (subject: SubjectId, why: { purpose: string, legalBasis: string }) => Promise<IndexAccessRow[]>
  /** The registry's offerings, to recognise results held by a merged issuer's successor. */
  catalogue?: OfferingCatalogue
  /** What the bridges (EMREX, wallet, OOTS) handed on of the learner's data, for "who saw my data". */
  bridgeAccess?: (identity: LearnerIdentity) => Promise<BridgeAccessRow[]>
  /** Results the learner imported from abroad (EMREX), shown apart from the verified ones. */
  foreignResults?: (identity: LearnerIdentity) => Promise<ForeignResultsImport[]>
  /**
   * Told of every completed sign-in (the bridges keep the learner's index ID and identity, so that
   * an OOTS request finds a learner who signed in before a restart). Its failure does not stop the sign-in.
   */
  signedIn?: (identity: LearnerIdentity) => Promise<void>
  /** The development issuer (`portal.devIssuer`), with its key loaded; absent in production. */
  devIssuer?: DevIssuer
  /** The portal's 32-byte session secret ({@link loadSessionSecret}): sign-in cookies and the sessions' learner index are keyed from it. */
  sessionSecret: Uint8Array
  /** The portal's public base URL (known once the node listens). */
  baseUrl: () => string
  now?: () => number
}

/** One entry of the bridges' access log as "who saw my data" shows it. */
export interface BridgeAccessRow {
  at: number
  organisation: string
  operation: string
  purpose: string
  legalBasis: string
  /** The exchange's identifier, to quote when asking about it. */
  reference?: string
}

/** Pages of the bridges on this node that the portal links to (paths), when they run. */
export interface PortalEntryPoints {
  /** Fetch results from a foreign institution (the EMREX client). */
  emrexImport?: string
  /** Put results in an EU digital identity wallet. */
  wallet?: string
  /** Where a recipient asks a candidate's wallet for a credential (the OpenID4VP verifier's page). */
  walletVerifier?: string
}

export interface PortalModuleInit {
  federationId: string
  oidc?: PortalOidcConfig
  fanoutDeadlineMs: number
  /** Fan-outs per learner and purpose per minute (the FanOutGate's budget). */
  fanOutsPerLearnerPerMinute?: number
  /** What the sources' checkpoints and seals must carry (`signatures.policy`). */
  signaturePolicy?: SignaturePolicy
  shareMaxDays: number
  /** How long sessions last (`portal.session`). */
  session: SessionTimeouts
  allowSynthetic: boolean
  /** Links to the bridges' pages (default none). */
  entryPoints?: PortalEntryPoints
}

export const OWN_RESULTS = { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' } as const
export const SHARE_VIEW = { purpose: 'portal.share-view', legalBasis: 'gdpr-6-1-a' } as const
export const TRANSFER = { purpose: 'portal.transfer', legalBasis: 'gdpr-6-1-a' } as const
export const ACCESS_LOG = { purpose: 'portal.access-log', legalBasis: 'gdpr-6-1-e' } as const
/** How often ended sessions are deleted from the store (they are refused when read anyway). */
const SESSION_SWEEP_MS = 3_600_000
const SESSION_SECRET_KEY = 'meta/session-secret'

/** The portal's session secret in its store, created on first use. */
export async function loadSessionSecret (store: Sublevel): Promise<Uint8Array> {
  const stored = await store.get(SESSION_SECRET_KEY)
  if (stored !== undefined) return stored
  const secret = new Uint8Array(randomBytes(32))
  await store.put(SESSION_SECRET_KEY, secret)
  return secret
}

export class PortalModule {
  readonly name = 'portal'
  readonly fetcher: ResultFetcher
  readonly shares: ShareStore
  /** The server-side sessions (src/services/portal/session-store.ts). */
  readonly sessionStore: SessionStore
  readonly devIssuer: DevIssuer | undefined
  readonly directory: SourceDirectory
  /** The sign-in and session of learners. */
  readonly sessions: LearnerSessions
  private readonly c: PortalModuleComponents
  readonly init: PortalModuleInit

  constructor (c: PortalModuleComponents, init: PortalModuleInit) {
    this.c = c
    this.init = init
    if (init.oidc === undefined && c.devIssuer === undefined) c.logger.warn('the portal has no OIDC issuer configured (portal.oidc): nobody can sign in')
    if (c.directory === undefined) c.logger.warn('the portal has no national index to ask: it asks every institution for a learner\'s results')
    this.directory = c.directory ?? everyInstitution(c.federation)
    this.fetcher = new ResultFetcher(
      { client: c.client, federation: c.federation, directory: this.directory, catalogue: c.catalogue, logger: c.logger, now: c.now },
      {
        federationId: init.federationId,
        deadlineMs: init.fanoutDeadlineMs,
        ...(init.fanOutsPerLearnerPerMinute === undefined ? {} : { fanOutLimit: { perWindow: init.fanOutsPerLearnerPerMinute, windowMs: 60_000 } }),
        ...(init.signaturePolicy === undefined ? {} : { policy: init.signaturePolicy })
      }
    )
    this.shares = new ShareStore({ store: c.store, log: c.log, now: c.now }, { maxDays: init.shareMaxDays })
    this.sessionStore = new SessionStore({ store: c.store, now: c.now }, init.session)
    this.sessionStore.load(c.sessionSecret)
    this.devIssuer = c.devIssuer
    this.sessions = this.buildSessions()
  }

  /**
   * The signed-in learner of a request whose route's policy is `learner`, as the HTTP edge
   * authenticated them (`request.caller`): the portal's session, or a learner token of an issuer
   * in `auth.issuers`.
   * @throws LifelongError AUTH_SIGN_IN_REQUIRED (401) when the request has no learner, AUTH_NO_LEARNER (403) when its subject is neither a national ID nor an education ID
   */
  identityOf (request: FastifyRequest): LearnerIdentity {
    const caller = request.caller
    if (caller?.kind !== 'learner') throw new LifelongError('unauthenticated', 'AUTH_SIGN_IN_REQUIRED', 'sign in first')
    if (caller.scheme === undefined) throw new LifelongError('forbidden', 'AUTH_NO_LEARNER', 'the sign-in names no learner (a national ID or an education ID)')
    return {
      subject: { scheme: caller.scheme, value: caller.subject },
      givenNames: caller.givenNames ?? '',
      familyName: caller.familyName ?? '',
      expiresAt: caller.expiresAt ?? 0,
      ...(caller.birthDate === undefined ? {} : { birthDate: caller.birthDate })
    }
  }

  /** The index's access log of the learner; empty without an index. */
  async indexAccess (subject: SubjectId): Promise<IndexAccessRow[]> {
    return await this.c.indexAccessLog?.(subject, ACCESS_LOG) ?? []
  }

  /** Records a completed sign-in for the bridges (see `signedIn`); a failure is logged (without the learner) and the sign-in goes on. */
  async recordSignIn (identity: LearnerIdentity): Promise<void> {
    try {
      await this.c.signedIn?.(identity)
    } catch (err) {
      this.c.logger.warn({ code: err instanceof LifelongError ? err.code : 'INTERNAL' }, 'the sign-in could not be recorded for the bridges')
    }
  }

  /** What the bridges handed on of the learner's data; empty when no bridge runs. */
  async bridgeAccess (identity: LearnerIdentity): Promise<BridgeAccessRow[]> {
    return await this.c.bridgeAccess?.(identity) ?? []
  }

  /** The learner's results imported from abroad; empty without EMREX. */
  async foreignResults (identity: LearnerIdentity): Promise<ForeignResultsImport[]> {
    return await this.c.foreignResults?.(identity) ?? []
  }

  baseUrl (): string {
    return this.c.baseUrl()
  }

  now (): number {
    return (this.c.now ?? Date.now)()
  }

  /** The manifest entry of a source node (for proof bundles). */
  fetcherMember (peerId: string): Member {
    const m = this.c.federation.member(peerId)
    if (m === undefined) throw new LifelongError('unavailable', 'PORTAL_SOURCE_NOT_A_MEMBER', 'the source is no longer in the manifest')
    return m
  }

  /** The exact signed bytes of the manifest in force (proof bundles carry it). */
  manifestEnvelope (): Uint8Array {
    return this.c.federation.current().envelope
  }

  private sweepTimer: NodeJS.Timeout | undefined

  async start (): Promise<void> {
    await this.shares.load()
    await this.sweepSessions()
    this.sweepTimer = setInterval(() => {
      void this.sweepSessions()
    }, SESSION_SWEEP_MS)
    this.sweepTimer.unref()
    const secretFile = this.init.oidc?.clientSecretFile
    if (secretFile !== undefined && this.init.oidc?.clientAuth !== 'none') {
      await readClientSecret(secretFile)
      const mode = (await stat(secretFile)).mode
      if ((mode & 0o077) !== 0) throw new LifelongError('forbidden', 'KEY_PERMISSIONS', `${secretFile} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`)
    }
  }

  async stop (): Promise<void> {
    clearInterval(this.sweepTimer)
  }

  private async sweepSessions (): Promise<void> {
    try {
      await this.sessionStore.sweep()
    } catch (err) {
      this.c.logger.warn({ err }, 'ended sessions could not be deleted')
    }
  }

  /** The sessions of the configured issuer; the URLs that are the portal's own are read once the node listens. */
  private buildSessions (): LearnerSessions {
    let verifier: TokenVerifier
    let authorizeUrl: () => string
    let tokens: TokenClient
    const dev = this.devIssuer
    if (dev !== undefined) {
      verifier = new TokenVerifier({ issuer: () => dev.issuer, audience: DEV_AUDIENCE, keys: { jwks: dev.jwks() }, allowSynthetic: this.init.allowSynthetic })
      authorizeUrl = () => `${dev.issuer}/authorize`
      tokens = new HttpTokenClient({ tokenEndpoint: () => `${dev.issuer}/token`, clientId: DEV_AUDIENCE, clientAuth: 'none' })
    } else if (this.init.oidc !== undefined) {
      const o = this.init.oidc
      const base = o.issuer.replace(/\/$/, '')
      verifier = new TokenVerifier({ issuer: o.issuer, audience: o.audience, keys: { jwksUri: o.jwksUri ?? `${base}/jwks.json` }, allowSynthetic: this.init.allowSynthetic })
      authorizeUrl = () => o.authorizationEndpoint
      const secretFile = o.clientSecretFile
      tokens = new HttpTokenClient({ tokenEndpoint: () => o.tokenEndpoint, clientId: o.audience, clientAuth: o.clientAuth, ...(secretFile === undefined ? {} : { clientSecret: async () => await readClientSecret(secretFile) }) })
    } else {
      verifier = new TokenVerifier({ issuer: 'urn:lifelong:no-issuer', audience: 'none', keys: { jwks: { keys: [] } }, allowSynthetic: false })
      authorizeUrl = () => `${this.c.baseUrl()}/portal`
      tokens = {
        exchange: async () => {
          throw new LifelongError('unavailable', 'AUTH_TOKEN_REQUEST_FAILED', 'the portal has no OIDC issuer configured')
        }
      }
    }
    return new LearnerSessions(verifier, { baseUrl: () => this.c.baseUrl(), authorizeUrl, tokens, secret: this.c.sessionSecret, store: this.sessionStore })
  }

  /** Every result of the signed-in learner, verified, with a status per source. */
  async myResults (identity: LearnerIdentity): Promise<FetchOutcome> {
    const outcome = await this.fetcher.fetch([identity.subject], OWN_RESULTS)
    // Newest first; results that could not be read at all last.
    outcome.results.sort((a, b) => (b.view?.achievedOn ?? '').localeCompare(a.view?.achievedOn ?? ''))
    return outcome
  }

  /**
   * The bridges' view of the learner's picked results (keys `<org>:<result ID>`), fetched again
   * for the transfer and verified; results that are not verified are left out. Keys that are
   * not the learner's are refused (PORTAL_NOT_YOUR_RESULT).
   */
  async verifiedResultsFor (identity: LearnerIdentity, keys: readonly string[]): Promise<LearnerResults> {
    const wanted = groupKeys(keys)
    const outcome = await this.fetcher.fetch([identity.subject], TRANSFER, wanted)
    const byKey = new Map(outcome.results.filter((r) => r.verification.ok).map((r) => [r.key, r]))
    const missing = keys.filter((k) => !byKey.has(k))
    if (missing.length > 0 && outcome.sources.every((s) => s.status === 'ok')) throw new LifelongError('forbidden', 'PORTAL_NOT_YOUR_RESULT', `${missing.length} of the picked results are not verified results of the signed-in learner`)
    return learnerResults(identity, keys.flatMap((k) => byKey.get(k) ?? []), this.now())
  }
}

/** `<org>:<result ID>` keys grouped by organisation. @throws LifelongError PORTAL_RESULT_KEY_INVALID */
export function groupKeys (keys: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const k of keys) {
    const m = /^(\d{9}):(r[0-9a-hjkmnp-tv-z]{20})$/.exec(k)
    if (m === null) throw new LifelongError('invalid', 'PORTAL_RESULT_KEY_INVALID', 'a picked result is not <organisation number>:<result ID>')
    const list = out.get(m[1] as string) ?? []
    list.push(m[2] as string)
    out.set(m[1] as string, list)
  }
  return out
}
