/**
 * Backups and restores (issue 13): the rate of an online backup (one LevelDB snapshot framed and
 * hashed into a file) and of a verified restore (the file checked, written into a new store,
 * and audited against its log as `lifelong log verify` does), against a plain file copy of the
 * same store's directory in the same run. The store is a log of education records as a registry
 * writes them. The HTTP hop of `lifelong backup` is left out: it is a loopback stream.
 */
import { cpSync, createReadStream, createWriteStream, readdirSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { openStorage } from '../../src/store/leveldb/storage.ts'
import { LogStore } from '../../src/store/log/store.ts'
import { Checkpointer } from '../../src/services/log/checkpointer.ts'
import { generateSigningKey } from '../../src/core/crypto/ed25519.ts'
import { createLogger } from '../../src/core/observability/logger.ts'
import { backupStore } from '../../src/store/backup/snapshot.ts'
import { restoreBackup } from '../../src/store/backup/restore.ts'
import { originKey } from '../../src/store/log/keys.ts'
import { auditDataDir } from '../../src/store/log/audit.ts'
import { fmt, type Benchmark, type BenchRow } from './harness.ts'
import { standbyRows } from './continuity-standby.ts'

const MIB = 1024 * 1024
const RECORD_BYTES = 400

function dirBytes (dir: string): number {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size
  return total
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const bench: Benchmark = {
  name: 'continuity',
  title: 'Backup and verified restore (issue 13)',
  goal: 'backup and restore rates (MiB/s) against a plain file copy of the store; ingest with synchronous replication against without (ratio), and an asynchronous standby\'s lag under the ingest\'s load',
  async run ({ quick, tmp, log }) {
    const entries = quick ? 20_000 : 200_000
    const rounds = quick ? 1 : 3
    const source = join(tmp, 'source')
    const storage = await openStorage(source)
    const store = await LogStore.open({ storage })
    const education = storage.sublevel('education')
    const pool = randomBytes(RECORD_BYTES * 1000)
    for (let b = 0; b < entries / 1000; b++) {
      const recs = Array.from({ length: 1000 }, (_, i) => new Uint8Array(pool.buffer, pool.byteOffset + RECORD_BYTES * i, RECORD_BYTES))
      await store.append(
        recs.map((record, i) => ({ type: 'education.offering-version', key: `O${b * 1000 + i}/v1`, record })),
        recs.map((record, i) => ({ type: 'put' as const, sublevel: education, key: `offering/O${b * 1000 + i}/v1`, value: record }))
      )
    }
    const key = generateSigningKey()
    await store.sublevel.put(originKey(), new TextEncoder().encode('no.lifelong.bench/log/bench'))
    const checkpointer = new Checkpointer({ store, key, logger: createLogger({ node: 'bench', level: 'silent' }) }, { origin: 'no.lifelong.bench/log/bench', intervalMs: 3_600_000, everyEntries: 1e9 })
    await checkpointer.start()
    await checkpointer.stop()
    const backupFile = join(tmp, 'store.backup')
    const backups: number[] = []
    let backupBytes = 0
    for (let r = 0; r < rounds; r++) {
      const t = performance.now()
      const b = await backupStore(storage, 'bench')
      const out = createWriteStream(backupFile)
      for await (const chunk of b.chunks) if (!out.write(chunk)) await once(out, 'drain')
      out.end()
      await once(out, 'close')
      backups.push((performance.now() - t) / 1000)
      backupBytes = statSync(backupFile).size
    }
    await storage.close()
    const storeBytes = dirBytes(join(source, 'db'))
    const copies: number[] = []
    const restores: number[] = []
    const audits: number[] = []
    for (let r = 0; r < rounds; r++) {
      rmSync(join(tmp, 'copy'), { recursive: true, force: true })
      let t = performance.now()
      cpSync(join(source, 'db'), join(tmp, 'copy'), { recursive: true })
      copies.push((performance.now() - t) / 1000)
      rmSync(join(tmp, 'restored'), { recursive: true, force: true })
      t = performance.now()
      await restoreBackup(createReadStream(backupFile, { highWaterMark: MIB }), join(tmp, 'restored'))
      restores.push((performance.now() - t) / 1000)
      // The audit alone, as `lifelong log verify` runs it on the restored store: its share of the restore.
      t = performance.now()
      await auditDataDir(join(tmp, 'restored'))
      audits.push((performance.now() - t) / 1000)
    }
    const copyRate = storeBytes / MIB / median(copies)
    const load = `load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`
    log(`store ${fmt(storeBytes / MIB, 1)} MiB on disk, backup ${fmt(backupBytes / MIB, 1)} MiB; ${load}`)
    const rows: BenchRow[] = [
      {
        name: `online backup of ${fmt(entries)} entries (snapshot, framing, SHA-256, file)`,
        value: storeBytes / MIB / median(backups),
        unit: 'MiB/s',
        baseline: { name: 'cp -r of the store directory', value: copyRate },
        note: `rounds ${backups.map((s) => fmt(s, 2)).join(', ')} s; ${load}`
      },
      {
        name: 'verified restore (digest, new store, audit of every record and the tree)',
        value: storeBytes / MIB / median(restores),
        unit: 'MiB/s',
        baseline: { name: 'cp -r of the store directory', value: copyRate },
        note: `rounds ${restores.map((s) => fmt(s, 2)).join(', ')} s`
      },
      {
        name: 'of which the audit (`lifelong log verify` of the restored store)',
        value: median(audits),
        unit: 's',
        baseline: { name: 'the whole verified restore', value: median(restores) },
        note: `rounds ${audits.map((s) => fmt(s, 2)).join(', ')} s`
      }
    ]
    const standby = await standbyRows(tmp, quick, log)
    rows.push(...standby.rows)
    return {
      rows,
      notes: [
        ...standby.notes,
        `Rates are of the store's size on disk (${fmt(storeBytes / MIB, 1)} MiB for ${fmt(entries)} entries of ${RECORD_BYTES}-byte records; the backup file is ${
          fmt(backupBytes / MIB, 1)
        } MiB, uncompressed keys and values). The copy reads files the page cache holds, as the backup's snapshot does; the restore includes \`lifelong log verify\`'s audit, which recomputes every leaf and the whole tree.`
      ]
    }
  }
}

export default bench
