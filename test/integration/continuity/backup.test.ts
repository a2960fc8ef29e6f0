/**
 * `lifelong backup` against a running node while it goes on appending, and `lifelong restore`:
 * the restored store passes the log's audit and holds every record the backup's snapshot held;
 * a damaged or truncated backup is refused and leaves nothing; a token without the scope is refused.
 * `lifelong backup` runs as a process beside the node, as an operator runs it; the other commands
 * go through the same program in the test's process (`runCliInProcess`).
 */
import { describe, it, expect } from 'vitest'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createNode } from '../../../src/node.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { planTestFederation, REAL, spec, tempDir, ORG } from '../../helpers/federation.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { BackupReader, BackupWriter } from '../../../src/core/backup/format.ts'

const enc = new TextEncoder()

describe('online backup and verified restore', () => {
  it('backs up a node while it appends; restores and verifies; refuses damaged, truncated and unauthorised', { timeout: 180_000 }, async () => {
    const plan = await planTestFederation([spec('alpha', ['registry'], ORG.operator)], REAL)
    const planned = plan.nodes[0]!
    const node = await createNode(planned.config)
    await node.start()
    const education = node.storage.sublevel('education')
    const put = async (from: number, n: number): Promise<void> => {
      const records = Array.from({ length: n }, (_, i) => enc.encode(JSON.stringify({ title: `Emne ${from + i}`, padding: 'x'.repeat(200) })))
      await node.log.transaction((tx) => {
        records.forEach((record, i) => {
          tx.record({ sublevel: education, key: `test/T-${from + i}/v1`, value: record, entry: { type: 'education.offering-version', key: `T-${from + i}/v1` } })
        })
      })
    }
    // 5 000 entries: several of the snapshot's steps and of the restore's batches (1 000 and 2 000 keys).
    for (let i = 0; i < 5; i++) await put(i * 1000, 1000)

    const dir = tempDir()
    const out = join(dir, 'alpha.backup')
    const devIssuer = join(plan.dir, 'dev-issuer.key')
    // Keep appending while the backup is taken.
    let writing = true
    let written = 5_000
    const writer = (async () => {
      while (writing) {
        await put(written, 50)
        written += 50
      }
    })()
    const backup = await runCli(['backup', '--config', planned.configFile, '--out', out, '--dev-issuer', devIssuer, '--no-progress'], { timeoutMs: 120_000 })
    writing = false
    await writer
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toMatch(/sha256 [0-9a-f]{64}/)
    const digest = /sha256 ([0-9a-f]{64})/.exec(backup.stdout)![1]!
    const treeSize = Number(/, (\d+) entries,/.exec(backup.stdout)![1])
    expect(treeSize).toBeGreaterThan(5_000)
    expect(node.log.store.size).toBeGreaterThan(treeSize) // the node went on appending after the snapshot

    // A token without the scope is refused; so is none.
    const wrongScope = await mintDevToken(plan.devIssuerKey, { principal: 'service', subject: 'other', scopes: ['results.write'], ttlSeconds: 60 })
    const refused = await runCliInProcess(['backup', '--node', node.httpUrl(), '--out', join(dir, 'x.backup'), '--token', wrongScope])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/error AUTH_/)
    expect(existsSync(join(dir, 'x.backup'))).toBe(false)

    // One backup at a time: each holds a snapshot that keeps LevelDB's old files alive.
    const first = await node.parts.backup!.take()
    await expect(node.parts.backup!.take()).rejects.toMatchObject({ code: 'BACKUP_BUSY' })
    for await (const _ of first.chunks) { /* read to the end */ }
    await first.summary
    const second = await node.parts.backup!.take()
    for await (const _ of second.chunks) break // a reader that stops early releases it too
    await expect(second.summary).rejects.toMatchObject({ code: 'BACKUP_FAILED' })
    for await (const _ of (await node.parts.backup!.take()).chunks) { /* read to the end */ }
    await node.stop()

    // Restore, with the digest printed at backup time.
    const data = join(dir, 'restored')
    const restored = await runCliInProcess(['restore', '--in', out, '--data', data, '--digest', digest, '--no-progress'])
    expect(restored.code, restored.stderr).toBe(0)
    expect(restored.stdout).toContain('OK: ')
    expect(readdirSync(data)).toEqual(['db'])
    const verify = await runCliInProcess(['log', 'verify', '--data', data])
    expect(verify.code, verify.stdout).toBe(0)
    const storage = await openStorage(data)
    try {
      const log = storage.sublevel('log')
      const state = await log.get('state')
      expect(Number(Buffer.from(state!).readBigUInt64BE(0))).toBe(treeSize)
      // Every record of the snapshot is there (the entries' records were written with them).
      let records = 0
      for await (const _ of storage.sublevel('education').keys({ gte: 'test/', lt: 'test0' })) records++
      expect(records).toBeGreaterThanOrEqual(treeSize - 10) // the node's own events are the other entries
    } finally {
      await storage.close()
    }

    // Restoring over a store is refused.
    const again = await runCliInProcess(['restore', '--in', out, '--data', data, '--no-progress'])
    expect(again.stderr).toContain('error BACKUP_TARGET_NOT_EMPTY')

    // A flipped byte in the middle, a cut file, another digest: refused, nothing left behind.
    const bytes = readFileSync(out)
    const damaged = Uint8Array.from(bytes)
    damaged[Math.floor(bytes.length / 2)]! ^= 0x40
    writeFileSync(join(dir, 'damaged.backup'), damaged)
    writeFileSync(join(dir, 'cut.backup'), bytes.subarray(0, bytes.length - 1000))
    for (const [file, expected] of [['damaged.backup', 'BACKUP_DAMAGED'], ['cut.backup', 'BACKUP_TRUNCATED']] as const) {
      const target = join(dir, `into-${file}`)
      const r = await runCliInProcess(['restore', '--in', join(dir, file), '--data', target, '--no-progress'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`error ${expected}`)
      expect(existsSync(join(target, 'db'))).toBe(false)
      expect(existsSync(join(target, 'restoring'))).toBe(false)
    }
    const wrongDigest = await runCliInProcess(['restore', '--in', out, '--data', join(dir, 'wrong-digest'), '--digest', '0'.repeat(64), '--no-progress'])
    expect(wrongDigest.stderr).toContain('error BACKUP_DIGEST_MISMATCH')
    expect(existsSync(join(dir, 'wrong-digest', 'db'))).toBe(false)

    // A backup re-framed with a valid digest around one edited record passes the file's checks
    // but not the log's: kept aside, not put in place.
    const reader = new BackupReader()
    const pairs = reader.push(bytes)
    reader.finish()
    const w = new BackupWriter()
    const edited = pairs.map(([k, v]) => {
      if (Buffer.from(k).toString() !== '!education!test/T-7/v1') return [k, v] as const
      const copy = Uint8Array.from(v)
      copy[12] = copy[12]! ^ 0x20
      return [k, copy] as const
    })
    writeFileSync(join(dir, 'edited.backup'), Buffer.concat([w.start(reader.header!), w.records(edited), w.end().bytes]))
    const editedTarget = join(dir, 'edited')
    const rejected = await runCliInProcess(['restore', '--in', join(dir, 'edited.backup'), '--data', editedTarget, '--no-progress'])
    expect(rejected.code).toBe(1)
    expect(rejected.stderr).toContain('error BACKUP_NOT_VERIFIED')
    expect(rejected.stderr).toContain('record-commitment')
    expect(existsSync(join(editedTarget, 'db'))).toBe(false)
    expect(existsSync(join(editedTarget, 'restore-rejected', 'db'))).toBe(true)
  })
})
