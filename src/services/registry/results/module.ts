/**
 * The results module of an institution node: the registry, the results protocol it serves
 * (handlers registered at start), the enrolments and the study status it answers the finance
 * node with (/lifelong/finance/1.0.0), and the index outbox, which starts sending once the node can
 * reach the index (its HTTP routes: src/edges/registry/results/routes.ts). Built by the
 * composition root only.
 */
import type { PqSigningKey } from '../../../core/crypto/ml-dsa.ts'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { LifelongError } from '../../../core/errors.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { LogProofs, OfferingCatalogue, PointerRegistrar, InstitutionInfo } from './ports.ts'
import { ResultRegistry } from './registry.ts'
import { ResultService } from './serve.ts'
import { IndexOutbox } from './outbox.ts'
import { ImportStaging } from './staging.ts'
import { EnrolmentRegister } from './enrolments.ts'
import { serveStudyStatus } from './study-status.ts'
import { serveCells } from './statistics.ts'

export interface ResultsModuleComponents {
  store: Sublevel
  log: LogWriter
  proofs: LogProofs
  key: SigningKey
  /** Seals hybrid with it (`signatures.hybridSeals`). */
  mlDsaKey?: PqSigningKey
  server: RpcServer
  federation: Federation
  logger: Logger
  /** The National Education Registry's offerings; without it every result is refused as unverifiable. */
  catalogue?: OfferingCatalogue
  /** The national index; without it pointers wait in the outbox. */
  registrar?: PointerRegistrar
  now?: () => number
}

export interface ResultsModuleInit {
  self: InstitutionInfo
  allowSynthetic: boolean
  outboxIntervalMs?: number
}

const noCatalogue: OfferingCatalogue = {
  async find () {
    throw new LifelongError('unavailable', 'RESULTS_EDUCATION_REGISTRY_UNAVAILABLE', 'this node has no connection to the National Education Registry')
  }
}

export class ResultsModule {
  readonly name = 'results'
  readonly registry: ResultRegistry
  readonly service: ResultService
  readonly outbox: IndexOutbox
  readonly staging: ImportStaging
  readonly enrolments: EnrolmentRegister

  private readonly server: RpcServer
  private readonly now: () => number
  private readonly catalogue: OfferingCatalogue

  constructor (c: ResultsModuleComponents, init: ResultsModuleInit) {
    this.server = c.server
    this.registry = new ResultRegistry(
      { store: c.store, log: c.log, key: c.key, ...(c.mlDsaKey === undefined ? {} : { mlDsaKey: c.mlDsaKey }), catalogue: c.catalogue ?? noCatalogue, now: c.now },
      { self: init.self, allowSynthetic: init.allowSynthetic }
    )
    this.service = new ResultService({ registry: this.registry, proofs: c.proofs, federation: c.federation, now: c.now })
    this.outbox = new IndexOutbox({ store: c.store, registry: this.registry, registrar: c.registrar, logger: c.logger }, { intervalMs: init.outboxIntervalMs })
    this.staging = new ImportStaging(this.registry)
    this.enrolments = new EnrolmentRegister({ registry: this.registry, store: c.store, log: c.log, catalogue: c.catalogue ?? noCatalogue, registrar: c.registrar, now: c.now }, { self: init.self })
    this.now = c.now ?? Date.now
    this.catalogue = c.catalogue ?? noCatalogue
  }

  /** Registers the results protocol's handlers and loads the registry. */
  async start (): Promise<void> {
    this.service.serve(this.server)
    serveStudyStatus(this.server, this.enrolments, this.registry, this.now)
    serveCells(this.server, this.registry, this.enrolments, this.catalogue, this.now)
    await this.registry.load()
  }

  /** Starts sending pointers to the index (the node can reach it now). */
  afterStart (): void {
    this.outbox.start()
    this.outbox.nudge()
  }

  async stop (): Promise<void> {
    await this.outbox.stop()
    await this.registry.close()
  }
}
