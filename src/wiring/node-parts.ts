/**
 * Every part a node can have, by name, with its type: the names the role tables of src/node.ts
 * list and that `NodeOptions.parts` replaces. How each is built is its definition in
 * src/wiring/ (log.ts, registries.ts, institution.ts, portal.ts, bridges.ts), joined in
 * src/wiring/definitions.ts. Types only (and the typed helper for definitions): the bridges'
 * libraries are loaded by their definitions, on the nodes that run them.
 */
import type { LogStore } from '../store/log/store.ts'
import type { NodeEvents } from '../services/log/node-log.ts'
import type { Checkpointer } from '../services/log/checkpointer.ts'
import type { Witness } from '../services/log/witness.ts'
import type { LogModule } from '../services/log/module.ts'
import type { NodeBackup } from '../services/backup/backup.ts'
import type { IndexClient, IndexRegistrar } from '../services/registry/learners/client.ts'
import type { LearnerIndex } from '../services/registry/learners/module.ts'
import type { EducationRegistryService, InstitutionCatalogueService } from '../services/registry/education/module.ts'
import type { AccreditorDesk } from '../services/registry/education/accreditor.ts'
import type { OfferingCatalogue, PointerRegistrar } from '../services/registry/results/ports.ts'
import type { ResultsModule } from '../services/registry/results/module.ts'
import type { Harvester } from '../services/registry/results/harvest/harvester.ts'
import type { WorkbenchModule } from '../services/workbench/module.ts'
import type { EvidenceService, InstitutionResults } from '../services/bridges/oots/evidence-protocol.ts'
import type { SignedInLearners } from '../services/portal/bridge-ports.ts'
import type { SourceDirectory } from '../services/portal/fetch.ts'
import type { DevIssuer } from '../services/portal/oidc.ts'
import type { PortalModule } from '../services/portal/module.ts'
import type { AccessLog, EvidenceFetcher, LearnerSessions, PersonMatcher, VerifiedResults } from '../services/bridges/ports.ts'
import type { EmrexStore } from '../services/bridges/emrex/store.ts'
import type { EmrexModule } from '../services/bridges/emrex/module.ts'
import type { EudiModule } from '../services/bridges/eudi/module.ts'
import type { OotsModule } from '../services/bridges/oots/module.ts'
import type { GatewayListener } from '../edges/bridges/oots/listener.ts'
import type { AdmissionModule } from '../services/admission/module.ts'
import type { FinanceModule } from '../services/finance/module.ts'
import type { StatisticsCollector } from '../services/statistics/collector.ts'
import type { ReplicationPrimary } from '../services/replication/primary.ts'
import type { StandbyFollower } from '../services/replication/standby.ts'
import type { NodeCore } from './context.ts'
import type { PartDefinition } from './parts.ts'

/** Every part a node can have. A part whose type includes `undefined` is left out by the config (its section is absent). */
export interface NodeParts {
  // The transparency log (every node)
  /** The log's store: leaves, tree, the record index (src/store/log/). */
  logStore: LogStore
  /** The node's own events in its log (created, key or config changed, manifest adopted). */
  nodeEvents: NodeEvents
  /** Signs the log's checkpoints. */
  checkpointer: Checkpointer
  /** Cosigns other members' checkpoints and gossips them. */
  witness: Witness
  /** The one write path (the unit of work), the log protocol, pushes to witnesses, proof bundles. */
  log: LogModule
  /** Online backups of the whole store (every node). */
  backup: NodeBackup
  // Warm standby (docs/OPERATIONS.md §Warm standby and failover)
  /** Replicates to the manifest's standbys of this node; fences it when a manifest promotes another. */
  replicationPrimary: ReplicationPrimary
  /** A standby's follower of its primary (standby nodes only, instead of their roles' parts). */
  standby: StandbyFollower
  /** A standby's online backups (of the primary's log it holds). */
  standbyBackup: NodeBackup
  // The registries
  /** Calls the national learner index over the signed protocol (every node). */
  indexClient: IndexClient
  /** The national learner index (index nodes). */
  learnerIndex: LearnerIndex
  /** Batched, retried pointer and enrolment registration at the index (institutions). */
  registrar: IndexRegistrar
  /** The National Education Registry's offerings, looked up and cached (institutions, the portal). */
  offerings: OfferingCatalogue
  /** The National Education Registry (registry nodes). */
  educationRegistry: EducationRegistryService
  /** An institution's own catalogue and its publication. */
  institutionCatalogue: InstitutionCatalogueService
  /** The accreditor's desk. */
  accreditor: AccreditorDesk
  /** Where an institution's results registry registers pointers: the index, through the registrar. */
  pointerRegistrar: PointerRegistrar
  /** An institution's results registry, its protocol and its index outbox. */
  results: ResultsModule
  /** Results harvested from the student system by standards (ELMO, ELM, OOAPI), with a `harvest` config section. */
  harvester: Harvester | undefined
  /** The institution workbench for the node's staff, with a `workbench` config section. */
  workbench: WorkbenchModule | undefined
  /** An institution's own results as the bridges' facts, for the evidence it seals. */
  institutionResults: InstitutionResults
  /** Serves the evidence an institution seals of its own results (`/lifelong/evidence/1.0.0`). */
  evidence: EvidenceService
  // The portal
  /** The learner IDs and identities of learners who signed in (the portal's store). */
  signedInLearners: SignedInLearners
  /** The learner-visible log of what the bridges handed on. */
  bridgeAccessLog: AccessLog
  /** Where a learner's results are: the index, or every institution in a federation without one. */
  sourceDirectory: SourceDirectory
  /** EMREX's store (the `bridges` sublevel), with an `emrex` config section. */
  emrexStore: EmrexStore | undefined
  /** The development OIDC issuer (`portal.devIssuer`) and its sample learners. */
  devIssuer: DevIssuer | undefined
  /** The Diploma portal. */
  portal: PortalModule
  // The cross-border bridges (portal nodes) and the ports they use
  /** The signed-in learner as the bridges see them (the portal's sign-in). */
  bridgeSessions: LearnerSessions
  /** The signed-in learner's verified results (the portal's fan-out). */
  verifiedResults: VerifiedResults
  /** Finds the learner an OOTS request names (the index's match). */
  personMatcher: PersonMatcher
  /** Asks institutions for the evidence they seal (`/lifelong/evidence/1.0.0`). */
  evidenceFetcher: EvidenceFetcher
  /** The EUDI wallet issuer. */
  eudi: EudiModule
  /** The OOTS evidence provider. */
  oots: OotsModule
  /** The OOTS listener for the national access point, with an `oots` config section. */
  ootsListener: GatewayListener | undefined
  /** EMREX provider and client, with an `emrex` config section. */
  emrex: EmrexModule | undefined
  // The consumers
  /** The admission node: gathers, verifies and scores applicants (role admission). */
  admission: AdmissionModule
  /** The finance node: learners' study status from the institutions (role finance). */
  finance: FinanceModule
  /** The education statistics combined at the registry from the institutions' cells (role registry). */
  statistics: StatisticsCollector
}

export type PartName = keyof NodeParts

/** A definition of a part of a node; `needs` is inferred from the list given. */
export function definePart<const N extends PartName, T> (definition: PartDefinition<NodeParts, NodeCore, T, N>): PartDefinition<NodeParts, NodeCore, T, N> {
  return definition
}
