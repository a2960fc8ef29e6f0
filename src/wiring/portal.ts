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
import { portalAuthenticators, portalCsrfTokens, portalSignedIn } from '../edges/portal/edge.ts'
import type { TranscriptSigner } from '../edges/portal/pdf.ts'
import { pageErrorRenderer } from '../edges/http/errors.ts'
import { PORTAL_SITE } from '../edges/ui/site.ts'
import { readPublishedAnchor } from '../core/federation/published-anchor.ts'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { NodeConfig } from '../core/config/config.ts'
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
  const anchor = config.federation.trustAnchorFile === undefined ? undefined : readPublishedAnchor(config.federation.trustAnchorFile, config.federation.id, config.federation.operatorKeys)
  const signer = transcriptSigner(config)
  const routes = portalRoutes(portal, { ...(anchor === undefined ? {} : { anchor: { text: anchor.text, fingerprint: anchor.fingerprint } }), ...(signer === undefined ? {} : { transcriptSigner: signer }) })
  // The portal's pages, the bridges' pages on this node and their errors are drawn in the portal's shell.
  const module = withEdges(portal, { routes, csrfTokens: portalCsrfTokens(portal), authenticators: portalAuthenticators(portal), errorRenderers: { page: pageErrorRenderer(PORTAL_SITE, portalSignedIn(portal)) } })
  return { portal, ports: portalBridgePorts(portal, signedIn, accessLog), modules: [module] }
}

/**
 * Who signs the portal's PDF transcripts: the portal organisation's X.509 certificate that it
 * already publishes to EMREX clients as the signer of its documents (`emrex.certificateFile`,
 * `emrex.keyFile`). A portal without an `emrex` section has no such certificate and signs none.
 */
function transcriptSigner (config: NodeConfig): TranscriptSigner | undefined {
  if (config.emrex === undefined) return undefined
  // The EMREX module checks the pair (an RSA key of at least 2048 bits, matching the certificate) when it starts.
  const certificate = new X509Certificate(readFileSync(config.emrex.certificateFile))
  const subject = new Map(certificate.subject.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
  return {
    certificateDer: new Uint8Array(certificate.raw),
    privateKey: createPrivateKey(readFileSync(config.emrex.keyFile)),
    name: subject.get('O') ?? subject.get('CN') ?? config.name,
    location: subject.get('C') ?? 'NO'
  }
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
