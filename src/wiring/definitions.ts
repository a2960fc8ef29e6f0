/**
 * How every part of a node is built: one definition per name of {@link NodeParts}. Which of them
 * a node has, and in which order, is its roles' table in src/node.ts.
 */
import type { NodeCore } from './context.ts'
import type { NodeParts } from './node-parts.ts'
import type { PartDefinitions } from './parts.ts'
import { backup, checkpointer, log, logStore, nodeEvents, witness } from './log.ts'
import { accreditor, educationRegistry, indexClient, institutionCatalogue, learnerIndex, offerings, registrar } from './registries.ts'
import { evidence, harvester, institutionResults, pointerRegistrar, results } from './institution.ts'
import { bridgeAccessLog, devIssuer, portal, signedInLearners, sourceDirectory } from './portal.ts'
import { admission, finance, statistics } from './consumers.ts'
import { workbench } from './workbench.ts'
import { replicationPrimary, standby, standbyBackup } from './replication.ts'
import { bridgeSessions, emrex, emrexStore, eudi, evidenceFetcher, oots, ootsListener, personMatcher, verifiedResults } from './bridges.ts'

export const PART_DEFINITIONS: PartDefinitions<NodeParts, NodeCore> = {
  logStore,
  nodeEvents,
  checkpointer,
  witness,
  log,
  backup,
  replicationPrimary,
  standby,
  standbyBackup,
  indexClient,
  learnerIndex,
  registrar,
  offerings,
  educationRegistry,
  institutionCatalogue,
  accreditor,
  pointerRegistrar,
  results,
  harvester,
  workbench,
  institutionResults,
  evidence,
  signedInLearners,
  bridgeAccessLog,
  sourceDirectory,
  emrexStore,
  devIssuer,
  portal,
  bridgeSessions,
  verifiedResults,
  personMatcher,
  evidenceFetcher,
  eudi,
  oots,
  ootsListener,
  emrex,
  admission,
  finance,
  statistics
}
