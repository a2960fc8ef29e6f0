/** `lifelong standby status | recover` (docs/OPERATIONS.md §Warm standby and failover). */
import type { Command } from 'commander'
import { loadConfig } from '../../core/config/config.ts'
import { readKeyFile } from '../../core/crypto/key-file.ts'
import { peerIdFromRawPublicKey } from '../../core/crypto/ed25519.ts'
import { LifelongError } from '../../core/errors.ts'
import { BACKUP_SCOPE } from '../../edges/backup/routes.ts'
import { nodeUrl, serviceToken } from './node-target.ts'
import { printJson } from '../output.ts'

export function registerStandbyCommands (program: Command): void {
  const standby = program.command('standby').description('warm standby: a node\'s replication status, and recovery of a rolled-back node from its standby')

  standby.command('status')
    .description('where a standby stands behind its primary (lag in entries and seconds), or a primary\'s standbys and whether it is fenced')
    .option('--config <file>', 'the node\'s config file (its URL)')
    .option('--node <url>', 'the node\'s HTTP base URL (default: from --config)')
    .option('--json', 'print the status as JSON')
    .action(async (opts) => {
      const url = nodeUrl(opts)
      let res: Response
      try {
        res = await fetch(`${url}/replication/status`)
      } catch (err) {
        throw new LifelongError('unavailable', 'REPLICATION_STANDBY_UNAVAILABLE', `cannot reach ${url}: ${(err as Error).message}`, { cause: err })
      }
      const status = await res.json() as Record<string, any>
      if (opts.json === true) {
        printJson(status)
        return
      }
      if (status.role === 'standby') {
        process.stdout.write(
          `standby of ${status.primary} (${status.mode}): batch ${status.appliedSeq}, ${status.size} entries; behind by ${status.lagEntries} entries, ${
            Number(status.lagSeconds).toFixed(1)
          } s; last checked checkpoint ${status.checkpointSize}\n`
        )
        return
      }
      process.stdout.write(`primary${status.fenced === undefined ? '' : ` FENCED (${status.fenced})`}: batch ${status.batch}, ${status.size} entries\n`)
      for (const s of status.standbys as Array<Record<string, any>>) {
        process.stdout.write(
          `  standby ${s.peerId} (${s.mode}): ${s.appliedSeq === undefined || s.appliedSeq === null ? 'position not known yet' : `batch ${s.appliedSeq}`}, behind by ${s.lagBatches} batches, ${s.lagEntries} entries${
            s.problem === undefined || s.problem === null ? '' : `; ${s.problem}`
          }\n`
        )
      }
      if ((status.standbys as unknown[]).length === 0) process.stdout.write('  no standby in the manifest\n')
    })

  standby.command('recover')
    .description('recover a rolled-back node (stopped) from its warm standby: a backup of the standby restored in place of the node\'s store, checked against the log')
    .requiredOption('--config <file>', 'the rolled-back node\'s config file')
    .option('--standby <url>', 'the standby\'s HTTP base URL')
    .option('--standby-config <file>', 'the standby\'s config file (its URL)')
    .option('--token <jwt>', `a service token of the standby with the scope ${BACKUP_SCOPE} (default: $LIFELONG_TOKEN)`)
    .option('--dev-issuer <key file>', 'local federation only: mint a development token with this key')
    .action(async (opts) => {
      const config = loadConfig(opts.config)
      const standbyUrl = nodeUrl({ node: opts.standby, config: opts.standbyConfig })
      const token = await serviceToken({ token: opts.token, devIssuer: opts.devIssuer, config: opts.standbyConfig ?? opts.config }, BACKUP_SCOPE)
      const peerId = peerIdFromRawPublicKey(readKeyFile(config.keyFile).publicKeyRaw).toString()
      const { recoverFromStandby } = await import('../../services/replication/recover.ts')
      const { auditLearnerBatches } = await import('../../services/registry/learners/batch.ts')
      const r = await recoverFromStandby({ standbyUrl, token, dataDir: config.dataDir, origin: `${config.federation.id}/log/${peerId}`, registries: [auditLearnerBatches] })
      process.stdout.write(`recovered ${r.restore.summary.records} records from the standby at ${standbyUrl}: log ${r.header.origin}, ${r.header.treeSize} entries\n`)
      process.stdout.write(
        `OK: ${r.restore.report.entries} entries recomputed; every record matches its leaf and the tree matches the signed checkpoint${r.restore.report.checkpoint === undefined ? '' : ` (size ${r.restore.report.checkpoint.size})`}\n`
      )
      process.stdout.write(`the rolled-back store was moved to ${r.movedAside}; start the node: its witnesses find their checkpoints in it\n`)
    })
}
