/**
 * The institution role: the results registry (its learners' results, logged and signed, with
 * pointers registered at the national index) and the OOTS evidence it seals of its own results.
 * The evidence libraries (ELM sealing, PDF) are imported only on institution nodes; see
 * src/wiring/bridges.ts for why.
 */
import { ResultsModule } from '../services/registry/results/module.ts'
import { logModuleProofs } from '../services/registry/results/proofs.ts'
import { indexRegistrar } from '../services/registry/results/index-registrar.ts'
import { ownResults } from '../services/registry/results/own-results.ts'
import { resultRoutes } from '../edges/registry/results/routes.ts'
import { hasRole, withEdges, type NodeCore, type NodeModule } from './context.ts'

/** What the institution role adds to a node. */
export interface InstitutionParts {
  /** The results registry; undefined unless the node is an institution. */
  results: ResultsModule | undefined
  modules: NodeModule[]
}

/** Builds the institution's parts (nothing on other nodes). */
export async function wireInstitution (core: NodeCore): Promise<InstitutionParts> {
  if (!hasRole(core, 'institution')) return { results: undefined, modules: [] }
  const { config, options, log, learners, self, now } = core
  const institution = { id: '', organisationNumber: config.organisationNumber, name: { nb: config.name } }
  const results = new ResultsModule({
    store: core.storage.sublevel('results'),
    log,
    proofs: logModuleProofs({ log }),
    key: core.key,
    server: core.server,
    federation: core.federation,
    logger: core.logger.child({ component: 'results' }),
    catalogue: options.results?.catalogue ?? core.offerings,
    registrar: options.results?.registrar ?? (learners.registrar === undefined ? undefined : indexRegistrar({ index: learners.index, registrar: learners.registrar })),
    now
  }, {
    self: institution,
    allowSynthetic: config.identifiers.allowSynthetic
  })
  // The institution seals evidence of its own results for OOTS requests relayed by a portal.
  const [{ serveEvidence }, { EvidenceBuilder }] = await Promise.all([import('../services/bridges/oots/evidence-protocol.ts'), import('../services/bridges/elm/evidence.ts')])
  const member = core.federation.member(self)
  serveEvidence({
    server: core.server,
    builder: new EvidenceBuilder({ key: core.key, now }, { organisationNumber: config.organisationNumber, names: { nb: member?.name ?? config.name } }),
    results: options.bridges?.institutionResults ?? ownResults(results.registry, logModuleProofs({ log }), { peerId: self, institution }, now),
    log,
    logger: core.logger.child({ component: 'evidence' })
  })
  return { results, modules: [withEdges(results, { routes: resultRoutes({ registry: results.registry, staging: results.staging, outbox: results.outbox }) })] }
}
