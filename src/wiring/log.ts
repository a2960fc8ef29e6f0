/**
 * The parts of the transparency log, which every node has: the store, the node's own events,
 * the checkpointer, the witness and the log module over them (docs/LOG.md). In this order they
 * start (events are logged before the first checkpoint is signed; the log protocol is served
 * once the witness holds what it held), and the store closes last.
 */
import { LogStore } from '../store/log/store.ts'
import { NodeEvents } from '../services/log/node-log.ts'
import { Checkpointer } from '../services/log/checkpointer.ts'
import { Witness } from '../services/log/witness.ts'
import { LogModule, storedOrigin } from '../services/log/module.ts'
import { logRoutes } from '../edges/log/routes.ts'
import { NodeBackup } from '../services/backup/backup.ts'
import { backupRoutes } from '../edges/backup/routes.ts'
import { continueAfterPromotion } from '../services/replication/handover.ts'
import { definePart } from './node-parts.ts'
import type { NodeCore } from './context.ts'

const logLogger = (core: NodeCore): NodeCore['logger'] => core.logger.child({ component: 'log' })

export const logStore = definePart({
  needs: [],
  create: async (core) => {
    const store = await LogStore.open({ storage: core.storage, now: core.now })
    // A promoted standby continues the log it replicated under its own origin, before the checkpointer reads it.
    if (core.federation.member(core.self)?.standbyOf === undefined) {
      await continueAfterPromotion(store, {
        federationId: core.config.federation.id,
        peerId: core.self,
        publicKey: core.key.publicKeyRaw,
        organisationNumber: core.config.organisationNumber,
        manifestSerial: core.federation.serial
      }, logLogger(core))
    }
    return store
  },
  lifecycle: (store) => ({
    stop: async () => {
      await store.close()
    }
  })
})

export const nodeEvents = definePart({
  needs: ['logStore'],
  // The whole config is this part's input: it logs when the config changed since the last start.
  create: (core, { logStore }) => new NodeEvents({ store: logStore, federation: core.federation, logger: logLogger(core) }, { config: core.config, peerId: core.self, publicKey: core.key.publicKeyRaw })
})

export const checkpointer = definePart({
  needs: ['logStore'],
  create: async (core, { logStore }) =>
    new Checkpointer(
      { store: logStore, key: core.key, ...(core.mlDsaKey === undefined ? {} : { mlDsaKey: core.mlDsaKey }), logger: logLogger(core) },
      {
        origin: await storedOrigin(logStore, core.config.federation.id, core.self),
        intervalMs: core.config.log.checkpointIntervalMs,
        everyEntries: core.config.log.checkpointEveryEntries,
        // Nothing is signed before the log module's rollback check at start (src/services/log/rollback.ts).
        awaitRelease: true
      }
    )
})

export const witness = definePart({
  needs: ['logStore', 'checkpointer'],
  create: (core, { logStore, checkpointer }) =>
    new Witness({
      store: logStore,
      federation: core.federation,
      server: core.server,
      client: core.client,
      key: core.key,
      ...(core.mlDsaKey === undefined ? {} : { mlDsaKey: core.mlDsaKey }),
      logger: logLogger(core),
      metrics: core.metrics,
      now: core.now,
      ownLatest: () => checkpointer.publishable(),
      ownRootAt: async (size) => size <= logStore.size ? await logStore.rootAt(size) : undefined,
      connectedPeers: core.connectedPeers
    }, {
      federationId: core.config.federation.id,
      selfPeerId: core.self,
      witness: core.config.log.witness,
      policy: core.config.signatures.policy,
      gossipIntervalMs: core.config.log.gossipIntervalMs
    })
})

export const log = definePart({
  needs: ['logStore', 'checkpointer', 'witness'],
  create: (core, { logStore, checkpointer, witness }) =>
    new LogModule({
      store: logStore,
      checkpointer,
      witness,
      federation: core.federation,
      logger: logLogger(core),
      metrics: core.metrics,
      server: core.server,
      client: core.client,
      connectedPeers: core.connectedPeers,
      now: core.now
    }, {
      federationId: core.config.federation.id,
      peerId: core.self,
      maxEntriesPerRequest: core.config.log.maxEntriesPerRequest,
      pushIntervalMs: core.config.log.checkpointIntervalMs
    }),
  edges: (log) => ({ routes: logRoutes(log) })
})

export const backup = definePart({
  needs: ['checkpointer'],
  create: (core, { checkpointer }) =>
    new NodeBackup({ storage: core.storage, signCheckpoint: async () => await checkpointer.sign(), logger: core.logger.child({ component: 'backup' }), metrics: core.metrics, now: core.now }, { peerId: core.self }),
  edges: (backup) => ({ routes: backupRoutes(backup) })
})
