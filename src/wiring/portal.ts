/**
 * The portal role: the Diploma portal (sign-in, the verified fan-out, shares, "who saw my data")
 * and the bridge ports it serves (src/services/portal/bridge-ports.ts). The bridges' access log and the
 * learners' IDs and identities (kept in the portal's store) are built first, so the portal gets
 * everything it shows at construction.
 */
import { LifelongError } from '../core/errors.ts'
import type { ForeignResults } from '../services/bridges/ports.ts'
import { PortalModule, type PortalEntryPoints } from '../services/portal/module.ts'
import { everyInstitution } from '../services/portal/fetch.ts'
import { indexAccessLog, indexDirectory } from '../services/portal/index-directory.ts'
import type { LearnerIdentity } from '../services/portal/oidc.ts'
import { BridgeAccessLog, SignedInLearners, portalBridgePorts, type PortalBridgePorts } from '../services/portal/bridge-ports.ts'
import { portalRoutes } from '../edges/portal/routes.ts'
import { portalAuthenticators, portalCsrfTokens } from '../edges/portal/edge.ts'
import { hasRole, withEdges, type NodeCore, type NodeModule } from './context.ts'

/** What the portal shows of the bridges, given at construction. */
export interface PortalInputs {
  /** Results learners imported from abroad (the EMREX client's store), if EMREX runs here. */
  foreignResults?: ForeignResults
  /** The bridges' pages to link to. */
  entryPoints?: PortalEntryPoints
}

/** What the portal role adds to a node. */
export interface PortalParts {
  /** The portal; undefined unless the node has the portal role. */
  portal: PortalModule | undefined
  /** The bridge ports over the portal's sign-in, results and access log. */
  ports: PortalBridgePorts | undefined
  modules: NodeModule[]
}

/** Builds the portal and its bridge ports (nothing on other nodes). */
export function wirePortal (core: NodeCore, inputs: PortalInputs = {}): PortalParts {
  if (!hasRole(core, 'portal')) return { portal: undefined, ports: undefined, modules: [] }
  const { config, options, federation, learners, log } = core
  const store = core.storage.sublevel('portal')
  const hasIndex = (): boolean => federation.membersWithRole('index').length > 0
  const signedIn = new SignedInLearners({ resolve: async (s, why) => (await learners.index.resolve({ scheme: s.scheme, value: s.value }, why)).learnerId ?? undefined }, store)
  const bridgeAccess = new BridgeAccessLog({ store, log })
  const accessLog = options.bridges?.accessLog ?? bridgeAccess
  const foreign = inputs.foreignResults
  const portal = new PortalModule({
    store,
    log,
    client: core.client,
    federation,
    logger: core.logger.child({ component: 'portal' }),
    // The national index says where a learner's results are; a federation without one asks every institution.
    directory: options.portal?.directory ?? (hasIndex() ? indexDirectory(learners.index) : everyInstitution(federation)),
    indexAccessLog: async (subject, why) => hasIndex() ? await indexAccessLog(learners.index, subject, why) : [],
    catalogue: options.portal?.catalogue ?? core.offerings,
    // "Who saw my data" lists what the bridges handed on (when they log here, not to a test's log).
    ...(accessLog === bridgeAccess ? { bridgeAccess: async (identity) => await bridgeAccess.list(await signedIn.learnerIdOf(identity)) } : {}),
    ...(foreign === undefined
      ? {}
      : {
          foreignResults: async (identity) => {
            const learnerId = await knownLearnerId(signedIn, identity)
            return learnerId === undefined ? [] : await foreign.forLearner(learnerId)
          }
        }),
    // Every sign-in keeps the learner's index ID and identity for the bridges (fault 11: an OOTS
    // request must find a learner who signed in before a restart). Without an index there is no learner ID.
    signedIn: async (identity) => { if (hasIndex()) await knownLearnerId(signedIn, identity) },
    baseUrl: core.listeningUrl,
    now: core.now
  }, {
    federationId: config.federation.id,
    oidc: config.portal.oidc,
    devIssuer: config.portal.devIssuer,
    sampleLearners: options.portal?.sampleLearners ?? [],
    fanoutDeadlineMs: config.portal.fanoutDeadlineMs,
    shareMaxDays: config.portal.shareMaxDays,
    session: { idleMs: config.portal.session.idleMinutes * 60_000, absoluteMs: config.portal.session.absoluteHours * 3_600_000 },
    allowSynthetic: config.identifiers.allowSynthetic,
    ...(inputs.entryPoints === undefined ? {} : { entryPoints: inputs.entryPoints })
  })
  const module = withEdges(portal, { routes: portalRoutes(portal), csrfTokens: portalCsrfTokens(portal), authenticators: portalAuthenticators(portal) })
  return { portal, ports: portalBridgePorts(portal, signedIn, accessLog), modules: [module] }
}

/** The learner ID, or undefined for a learner the index does not know (who has imported nothing). */
async function knownLearnerId (signedIn: SignedInLearners, identity: LearnerIdentity): Promise<string | undefined> {
  try {
    return await signedIn.learnerIdOf(identity)
  } catch (err) {
    if (err instanceof LifelongError && err.code === 'PORTAL_LEARNER_UNKNOWN') return undefined
    throw err
  }
}
