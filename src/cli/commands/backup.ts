/** `lifelong backup` and `lifelong restore` (docs/OPERATIONS.md §Backup and restore). */
import { createReadStream, statSync } from 'node:fs'
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import { BACKUP_SCOPE } from '../../edges/backup/routes.ts'
import { nodeUrl, serviceToken } from './node-target.ts'
import type { BackupHeader } from '../../core/backup/format.ts'

const MIB = 1024 * 1024
const mib = (n: number): string => (n / MIB).toFixed(1)

/** A bar over bytes (cli-progress, already used by the imports), or plain lines when not on a terminal. */
function byteBar (label: string, enabled: boolean): { start: (total: number) => void, update: (n: number) => void, stop: () => void } {
  if (!enabled || process.stderr.isTTY !== true) return { start () {}, update () {}, stop () {} }
  const bar = new cliProgress.SingleBar({ format: `${label} {bar} {mib}/{totalMib} MiB | {eta_formatted} left`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
  let total = 0
  return {
    start (t) {
      total = Math.max(t, 1)
      bar.start(total, 0, { mib: '0.0', totalMib: mib(total) })
    },
    update (n) {
      // LevelDB's size is an estimate: grow the bar rather than overflow it.
      if (n > total) {
        total = n
        bar.setTotal(total)
      }
      bar.update(n, { mib: mib(n), totalMib: mib(total) })
    },
    stop () {
      bar.stop()
    }
  }
}

function describe (h: BackupHeader): string {
  return `log ${h.origin}, ${h.treeSize} entries, taken ${h.createdAt}`
}

export function registerBackupCommands (program: Command): void {
  program.command('backup')
    .description('write an online backup of a running node\'s whole store (a consistent snapshot with its latest checkpoint and a digest)')
    .option('--config <file>', 'the node\'s config file (its URL)')
    .option('--node <url>', 'the node\'s HTTP base URL (default: from --config)')
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--token <jwt>', `a service token with the scope ${BACKUP_SCOPE} (default: $LIFELONG_TOKEN)`)
    .option('--dev-issuer <key file>', 'local federation only: mint a development token with this key')
    .option('--no-progress', 'no progress bar')
    .action(async (opts) => {
      const url = nodeUrl(opts)
      const token = await serviceToken(opts, BACKUP_SCOPE)
      const { downloadBackup } = await import('../../services/backup/download.ts')
      const bar = byteBar('backup ', opts.progress !== false)
      const started = performance.now()
      const r = await downloadBackup(url, token, opts.out, {
        start: (h) => {
          bar.start(h.approximateBytes)
        },
        read: bar.update,
        stop: bar.stop
      })
      const seconds = (performance.now() - started) / 1000
      process.stdout.write(`backup ${opts.out}: ${describe(r.header)}; ${r.summary.records} records, ${mib(r.bytes)} MiB in ${seconds.toFixed(1)} s\nsha256 ${r.summary.digest}\n`)
    })

  program.command('restore')
    .description('restore a backup into an empty data directory; refuses a damaged or truncated backup, and checks the restored store against its log as `lifelong log verify` does')
    .requiredOption('--in <file>', 'the backup file')
    .requiredOption('--data <dir>', 'the data directory to restore into (its db/ must not exist yet)')
    .option('--digest <sha256>', 'the digest `lifelong backup` printed: refuse any other')
    .option('--no-progress', 'no progress bar')
    .action(async (opts) => {
      const { restoreBackup } = await import('../../store/backup/restore.ts')
      const { auditLearnerBatches } = await import('../../services/registry/learners/batch.ts')
      const bar = byteBar('restore', opts.progress !== false)
      const size = statSync(opts.in).size
      const started = performance.now()
      let r
      try {
        r = await restoreBackup(createReadStream(opts.in, { highWaterMark: MIB }), opts.data, {
          registries: [auditLearnerBatches],
          expectedDigest: opts.digest,
          progress: {
            header: () => {
              bar.start(size)
            },
            read: bar.update
          }
        })
      } finally {
        bar.stop()
      }
      const seconds = (performance.now() - started) / 1000
      process.stdout.write(`restored ${r.summary.records} records (${mib(size)} MiB in ${seconds.toFixed(1)} s) into ${r.path}: ${describe(r.header)}\nsha256 ${r.summary.digest}\n`)
      process.stdout.write(`OK: ${r.report.entries} entries recomputed; every record matches its leaf and the tree matches the signed checkpoint ${r.report.checkpoint === undefined ? '' : `(size ${r.report.checkpoint.size})`}\n`)
      process.stdout.write('Start the node: at start it asks its witnesses whether they hold a later checkpoint of its log (docs/OPERATIONS.md, "After a restore").\n')
    })
}
