/**
 * The parts of the portal role: the learners' IDs and identities and the bridges' access log
 * (both in the portal's store), where a learner's results are, the development issuer, and the
 * Diploma portal itself (sign-in, the verified fan-out, shares, "who saw my data"). The first
 * ones are built before the portal, so that it gets everything it shows at construction; the
 * bridge ports over it are in src/wiring/bridges.ts.
 */
import { LifelongError } from '../core/errors.ts'
import { PortalModule, loadSessionSecret } from '../services/portal/module.ts'
import { everyInstitution } from '../services/portal/fetch.ts'
import { indexAccessLog, indexDirectory } from '../services/portal/index-directory.ts'
import { DevIssuer, type LearnerIdentity, type SampleLearner } from '../services/portal/oidc.ts'
import { BridgeAccessLog, SignedInLearners } from '../services/portal/bridge-ports.ts'
import { emrexForeignResults } from '../services/bridges/emrex/foreign-results.ts'
import { portalRoutes } from '../edges/portal/routes.ts'
import { portalAuthenticators, portalCsrfTokens, portalSignedIn } from '../edges/portal/edge.ts'
import type { TranscriptSigner } from '../edges/portal/pdf.ts'
import { pageErrorRenderer } from '../edges/http/errors.ts'
import { PORTAL_SITE } from '../edges/ui/site.ts'
import { readPublishedAnchor } from '../core/federation/published-anchor.ts'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { NodeConfig } from '../core/config/config.ts'
import { definePart, type NodeParts } from './node-parts.ts'
import type { NodeCore } from './context.ts'
import type { PartFactories } from './parts.ts'

/** Whether the federation has a national index (else the portal asks every institution). */
const hasIndex = (core: NodeCore): boolean => core.federation.membersWithRole('index').length > 0

export const signedInLearners = definePart({
  needs: ['indexClient'],
  create: (core, { indexClient }) => new SignedInLearners({ resolve: async (s, why) => (await indexClient.resolve({ scheme: s.scheme, value: s.value }, why)).learnerId ?? undefined }, core.storage.sublevel('portal'))
})

export const bridgeAccessLog = definePart({
  needs: ['log'],
  create: (core, { log }) => new BridgeAccessLog({ store: core.storage.sublevel('portal'), log })
})

export const sourceDirectory = definePart({
  needs: ['indexClient'],
  // The national index says where a learner's results are; a federation without one asks every institution.
  create: (core, { indexClient }) => hasIndex(core) ? indexDirectory(indexClient) : everyInstitution(core.federation)
})

/** The development issuer's part with these sample learners (the local federation's, a test's); without `portal.devIssuer` there is none. */
export function devIssuerWith (learners: readonly SampleLearner[]): NonNullable<PartFactories<NodeParts, NodeCore>['devIssuer']> {
  return async (core) =>
    core.config.portal.devIssuer
      ? await DevIssuer.create({ store: core.storage.sublevel('portal'), now: core.now }, { learners, issuer: () => `${core.listeningUrl()}/dev-oidc` })
      : undefined
}

export const devIssuer = definePart({
  needs: [],
  create: devIssuerWith([])
})

export const portal = definePart({
  needs: ['log', 'indexClient', 'offerings', 'signedInLearners', 'bridgeAccessLog', 'sourceDirectory', 'emrexStore', 'devIssuer'],
  create: async (core, parts) => {
    const { config } = core
    const { indexClient, signedInLearners: signedIn, bridgeAccessLog: accessLog, emrexStore } = parts
    const store = core.storage.sublevel('portal')
    const foreign = emrexStore === undefined ? undefined : emrexForeignResults(emrexStore)
    return new PortalModule({
      store,
      log: parts.log,
      client: core.client,
      federation: core.federation,
      logger: core.logger.child({ component: 'portal' }),
      directory: parts.sourceDirectory,
      indexAccessLog: async (subject, why) => hasIndex(core) ? await indexAccessLog(indexClient, subject, why) : [],
      catalogue: parts.offerings,
      // "Who saw my data" lists what the bridges handed on (when they log here, not to a log of the caller's own).
      ...(accessLog instanceof BridgeAccessLog ? { bridgeAccess: async (identity) => await accessLog.list(await signedIn.learnerIdOf(identity)) } : {}),
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
      signedIn: async (identity) => {
        if (hasIndex(core)) await knownLearnerId(signedIn, identity)
      },
      ...(parts.devIssuer === undefined ? {} : { devIssuer: parts.devIssuer }),
      sessionSecret: await loadSessionSecret(store),
      baseUrl: core.listeningUrl,
      now: core.now
    }, {
      federationId: config.federation.id,
      oidc: config.portal.oidc,
      fanoutDeadlineMs: config.portal.fanoutDeadlineMs,
      fanOutsPerLearnerPerMinute: config.portal.fanOutsPerLearnerPerMinute,
      signaturePolicy: config.signatures.policy,
      shareMaxDays: config.portal.shareMaxDays,
      session: { idleMs: config.portal.session.idleMinutes * 60_000, absoluteMs: config.portal.session.absoluteHours * 3_600_000 },
      allowSynthetic: config.identifiers.allowSynthetic,
      // The bridges' pages the portal links to, by what runs on this node.
      entryPoints: { wallet: '/portal/wallet', walletVerifier: '/share/wallet', ...(config.emrex === undefined ? {} : { emrexImport: '/emrex/import' }) }
    })
  },
  edges: (portal, { core }) => {
    const { config } = core
    const anchor = config.federation.trustAnchorFile === undefined ? undefined : readPublishedAnchor(config.federation.trustAnchorFile, config.federation.id, config.federation.operatorKeys, config.federation.operatorMlDsaKeys)
    const signer = transcriptSigner(config)
    const routes = portalRoutes(portal, { ...(anchor === undefined ? {} : { anchor: { text: anchor.text, fingerprint: anchor.fingerprint } }), ...(signer === undefined ? {} : { transcriptSigner: signer }) })
    // The portal's pages, the bridges' pages on this node and their errors are drawn in the portal's shell.
    return { routes, csrfTokens: portalCsrfTokens(portal), authenticators: portalAuthenticators(portal), errorRenderers: { page: pageErrorRenderer(PORTAL_SITE, portalSignedIn(portal)) } }
  }
})

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
