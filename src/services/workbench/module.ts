/**
 * The institution workbench (an institution node with a `workbench` config section): its staff
 * sign in (OpenID Connect, or the development identity provider in test and demo federations),
 * manage their own catalogue, run catalogue and results imports, and see the index outbox and
 * the node's checkpoints with their cosigners. Everything it does goes through the node's own
 * services (the catalogue, the results registry's staged import, the outbox, the log); every
 * staff action is recorded in the node's log (src/services/workbench/audit.ts).
 *
 * Its pages and routes, and what the HTTP edge takes of it (the staff authenticator, the
 * session's CSRF token), are in src/edges/workbench/.
 */
import { randomBytes } from 'node:crypto'
import { LifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { WorkbenchConfig } from '../../core/config/workbench.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { LogWriter } from '../../store/log/unit-of-work.ts'
import type { InstitutionCatalogue } from '../registry/education/catalogue.ts'
import type { ResultsModule } from '../registry/results/module.ts'
import { HttpTokenClient, readClientSecret } from '../portal/oidc.ts'
import { WorkbenchAudit } from './audit.ts'
import { DEV_STAFF_CLIENT, StaffDevIssuer } from './dev-issuer.ts'
import { WorkbenchImports } from './imports.ts'
import { StaffSessionStore } from './sessions.ts'
import { StaffSignIn, StaffTokenVerifier } from './sign-in.ts'
import { StaffDirectory } from './staff.ts'
import { Workbench } from './workbench.ts'

export interface WorkbenchModuleComponents {
  /** The workbench's sublevel (`workbench`): sessions, the audit, its secret, the development provider's key. */
  store: Sublevel
  log: LogWriter
  catalogue: InstitutionCatalogue
  results: ResultsModule
  resultsStore: Sublevel
  logStore: Sublevel
  federation: Federation
  logger: Logger
  /** The node's public base URL (known once the node listens). */
  baseUrl: () => string
  now?: () => number
}

const SECRET_KEY = 'meta/secret'
const SWEEP_MS = 3_600_000
/** Where the development identity provider is served on the node. */
export const DEV_SIGN_IN_PATH = '/workbench/dev-sign-in'

export class WorkbenchModule {
  readonly name = 'workbench'
  readonly staff: StaffDirectory
  readonly audit: WorkbenchAudit
  readonly imports: WorkbenchImports
  readonly workbench: Workbench
  readonly sessions: StaffSessionStore
  readonly devIssuer: StaffDevIssuer | undefined
  private signInFlow: StaffSignIn | undefined
  private readonly c: WorkbenchModuleComponents
  private readonly config: WorkbenchConfig
  private sweeper: NodeJS.Timeout | undefined

  constructor (c: WorkbenchModuleComponents, config: WorkbenchConfig) {
    this.c = c
    this.config = config
    this.staff = new StaffDirectory(config.staff)
    this.audit = new WorkbenchAudit({ store: c.store, log: c.log })
    this.sessions = new StaffSessionStore({ store: c.store, ...(c.now === undefined ? {} : { now: c.now }) }, { idleMs: config.session.idleMinutes * 60_000, absoluteMs: config.session.absoluteHours * 3_600_000 })
    this.imports = new WorkbenchImports({
      catalogue: c.catalogue,
      staging: c.results.staging,
      onResultsStored: () => {
        c.results.outbox.nudge()
      },
      audit: this.audit,
      logger: c.logger,
      ...(c.now === undefined ? {} : { now: c.now })
    })
    this.workbench = new Workbench({ catalogue: c.catalogue, outbox: c.results.outbox, resultsStore: c.resultsStore, logStore: c.logStore, federation: c.federation, audit: this.audit, ...(c.now === undefined ? {} : { now: c.now }) })
    // The development provider stands in for the organisation's when there is none configured.
    this.devIssuer = config.devSignIn && config.oidc === undefined
      ? new StaffDevIssuer({ store: c.store, ...(c.now === undefined ? {} : { now: c.now }) }, { issuer: () => `${c.baseUrl()}${DEV_SIGN_IN_PATH}`, staff: config.staff })
      : undefined
  }

  /** The staff's sign-in flow (after {@link start}). */
  get signIn (): StaffSignIn {
    if (this.signInFlow === undefined) throw new LifelongError('unavailable', 'WORKBENCH_NOT_STARTED', 'the workbench has not started yet')
    return this.signInFlow
  }

  async start (): Promise<void> {
    const { c, config } = this
    let secret = await c.store.get(SECRET_KEY)
    if (secret === undefined) {
      secret = new Uint8Array(randomBytes(32))
      await c.store.put(SECRET_KEY, secret)
    }
    await this.devIssuer?.start()
    const dev = this.devIssuer
    const oidc = config.oidc
    const verifier = oidc !== undefined
      ? new StaffTokenVerifier({ issuer: () => oidc.issuer, audience: oidc.audience, subjectClaim: oidc.subjectClaim, keys: { jwksUri: oidc.jwksUri ?? `${oidc.issuer.replace(/\/$/, '')}/jwks.json` } })
      : new StaffTokenVerifier({ issuer: () => `${c.baseUrl()}${DEV_SIGN_IN_PATH}`, audience: DEV_STAFF_CLIENT, subjectClaim: 'sub', keys: { jwks: () => (dev as StaffDevIssuer).jwks() } })
    const tokens = oidc !== undefined
      ? new HttpTokenClient({
        tokenEndpoint: () => oidc.tokenEndpoint,
        clientId: oidc.audience,
        clientAuth: oidc.clientAuth,
        ...(oidc.clientSecretFile === undefined ? {} : { clientSecret: async () => await readClientSecret(oidc.clientSecretFile as string) })
      })
      : new HttpTokenClient({ tokenEndpoint: () => `${c.baseUrl()}${DEV_SIGN_IN_PATH}/token`, clientId: DEV_STAFF_CLIENT, clientAuth: 'none' })
    this.signInFlow = new StaffSignIn({
      baseUrl: c.baseUrl,
      authorizeUrl: () => oidc?.authorizationEndpoint ?? `${c.baseUrl()}${DEV_SIGN_IN_PATH}/authorize`,
      tokens,
      verifier,
      secret,
      store: this.sessions,
      staff: this.staff
    })
    this.sweeper = setInterval(() => {
      void this.sessions.sweep().catch(() => undefined)
    }, SWEEP_MS)
    this.sweeper.unref()
  }

  stop (): void {
    clearInterval(this.sweeper)
  }
}
