/**
 * The parts of an institution: the results registry (its learners' results, logged and signed,
 * with pointers registered at the national index) and the OOTS evidence it seals of its own
 * results. The evidence libraries (ELM sealing, PDF) are imported by the `evidence` part's
 * factory, on institution nodes only; see src/wiring/bridges.ts for why.
 */
import { ResultsModule } from '../services/registry/results/module.ts'
import { logModuleProofs } from '../services/registry/results/proofs.ts'
import { indexRegistrar } from '../services/registry/results/index-registrar.ts'
import { ownResults } from '../services/registry/results/own-results.ts'
import type { InstitutionInfo } from '../services/registry/results/ports.ts'
import { resultRoutes } from '../edges/registry/results/routes.ts'
import { randomBytes } from 'node:crypto'
import { LifelongError } from '../core/errors.ts'
import { HARVEST_SECRET_KEY } from '../services/registry/results/keys.ts'
import { harvestRoutes } from '../edges/registry/results/harvest-routes.ts'
import { definePart } from './node-parts.ts'
import type { NodeCore } from './context.ts'

/** The institution the node is, as its results name it. */
const institutionOf = (core: NodeCore): InstitutionInfo => ({ id: '', organisationNumber: core.config.organisationNumber, name: { nb: core.config.name } })

export const pointerRegistrar = definePart({
  needs: ['indexClient', 'registrar'],
  create: (_core, { indexClient, registrar }) => indexRegistrar({ index: indexClient, registrar })
})

export const results = definePart({
  needs: ['log', 'offerings', 'pointerRegistrar'],
  create: (core, { log, offerings, pointerRegistrar }) =>
    new ResultsModule({
      store: core.storage.sublevel('results'),
      log,
      proofs: logModuleProofs({ log }),
      key: core.key,
      ...(core.mlDsaKey !== undefined && core.config.signatures.hybridSeals ? { mlDsaKey: core.mlDsaKey } : {}),
      server: core.server,
      federation: core.federation,
      logger: core.logger.child({ component: 'results' }),
      catalogue: offerings,
      registrar: pointerRegistrar,
      now: core.now
    }, {
      self: institutionOf(core),
      allowSynthetic: core.config.identifiers.allowSynthetic
    }),
  edges: (results) => ({ routes: resultRoutes({ registry: results.registry, staging: results.staging, outbox: results.outbox, enrolments: results.enrolments }) })
})

export const institutionResults = definePart({
  needs: ['log', 'results'],
  create: (core, { log, results }) => ownResults(results.registry, logModuleProofs({ log }), { peerId: core.self, institution: institutionOf(core) }, core.now)
})

export const evidence = definePart({
  needs: ['log', 'institutionResults'],
  // The institution seals evidence of its own results for OOTS requests relayed by a portal.
  create: async (core, { log, institutionResults }) => {
    const [{ EvidenceService }, { EvidenceBuilder }] = await Promise.all([import('../services/bridges/oots/evidence-protocol.ts'), import('../services/bridges/elm/evidence.ts')])
    const member = core.federation.member(core.self)
    return new EvidenceService({
      server: core.server,
      builder: new EvidenceBuilder({ key: core.key, now: core.now }, { organisationNumber: core.config.organisationNumber, names: { nb: member?.name ?? core.config.name } }),
      results: institutionResults,
      log,
      logger: core.logger.child({ component: 'evidence' })
    })
  }
})

export const harvester = definePart({
  needs: ['results', 'institutionCatalogue'],
  // Results from the student system by standards (harvest config section); the bridges'
  // readers (ELMO, the EDC schema) are loaded on nodes that harvest only.
  create: async (core, { results, institutionCatalogue }) => {
    const sources = core.config.harvest?.sources
    if (sources === undefined || sources.length === 0) return undefined
    const [{ Harvester }, { createSafeFetch }, { createElmSchemaValidator }] = await Promise.all([
      import('../services/registry/results/harvest/harvester.ts'),
      import('../services/verify/fetch.ts'),
      import('../services/bridges/elm/schema.ts')
    ])
    const store = core.storage.sublevel('results')
    const catalogue = institutionCatalogue.catalogue
    return new Harvester({
      staging: results.staging,
      fetch: async (url, o) => {
        const doc = await createSafeFetch({ allowInsecure: o.allowPrivateNetwork, maxBytes: o.maxBytes, timeoutMs: 30_000 })(url, { accept: o.accept, maxBytes: o.maxBytes })
        if (doc.status !== 200) throw new LifelongError('unavailable', 'HARVEST_FETCH_FAILED', `${url} answered HTTP ${doc.status}`)
        return Buffer.from(doc.body).toString('utf8')
      },
      offeringByCode: (code) => catalogue.idByLocalCode(code),
      validateElm: createElmSchemaValidator,
      pseudonymKey: async () => {
        const existing = await store.get(HARVEST_SECRET_KEY)
        if (existing !== undefined) return existing
        const secret = new Uint8Array(randomBytes(32))
        await store.put(HARVEST_SECRET_KEY, secret, { sync: true } as never)
        return secret
      },
      onStored: () => {
        results.outbox.nudge()
      },
      logger: core.logger.child({ component: 'harvest' }),
      now: core.now
    }, sources)
  },
  edges: (harvester) => ({ routes: harvestRoutes(harvester) })
})
