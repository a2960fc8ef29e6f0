/** The backup file format: a round trip in chunks of every size, and every kind of damage refused with its code. */
import { describe, it, expect } from 'vitest'
import { BackupReader, BackupWriter, BACKUP_FORMAT, END_LENGTH, type BackupHeader } from '../../../../src/core/backup/format.ts'
import { LifelongError } from '../../../../src/core/errors.ts'

const header: BackupHeader = { format: BACKUP_FORMAT, createdAt: '2026-12-07T12:00:00.000Z', peerId: '12D3KooWtest', origin: 'no.lifelong.test/log/12D3KooWtest', treeSize: 3, approximateBytes: 0 }
const enc = new TextEncoder()

function file (pairs: Array<[string, string]>): Uint8Array {
  const w = new BackupWriter()
  const parts = [w.start(header), w.records(pairs.map(([k, v]) => [enc.encode(k), enc.encode(v)] as const))]
  parts.push(w.end().bytes)
  return Buffer.concat(parts)
}

function read (bytes: Uint8Array, chunk: number): { pairs: Array<[string, string]>, digest: string } {
  const r = new BackupReader()
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < bytes.length; i += chunk) {
    for (const [k, v] of r.push(bytes.subarray(i, i + chunk))) pairs.push([Buffer.from(k).toString(), Buffer.from(v).toString()])
  }
  return { pairs, digest: r.finish().digest }
}

function code (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof LifelongError ? err.code : String(err)
  }
  return undefined
}

const PAIRS: Array<[string, string]> = [['!log!state', 'x'.repeat(40)], ['!education!offering/O1/v1', '{"title":"Matematikk"}'], ['!p2p!empty', '']]

describe('backup format', () => {
  it('reads back every record and the same digest, whatever the chunk size', () => {
    const bytes = file(PAIRS)
    const whole = read(bytes, bytes.length)
    expect(whole.pairs).toEqual(PAIRS)
    for (const chunk of [1, 2, 7, 64]) expect(read(bytes, chunk)).toEqual(whole)
  })

  it('refuses every flipped bit (BACKUP_DAMAGED, or a framing error found first)', () => {
    const bytes = file(PAIRS)
    const codes = new Set<string | undefined>()
    for (let i = 0; i < bytes.length; i++) {
      const bad = Uint8Array.from(bytes)
      bad[i] = bad[i]! ^ 0x01
      codes.add(code(() => read(bad, 5)))
    }
    expect(codes.has(undefined)).toBe(false)
    expect([...codes].every((c) => c === 'BACKUP_DAMAGED' || c === 'BACKUP_NOT_A_BACKUP' || c === 'BACKUP_TRUNCATED' || c === 'BACKUP_FORMAT_UNSUPPORTED')).toBe(true)
    expect(codes.has('BACKUP_DAMAGED')).toBe(true)
  })

  it('refuses a file cut short anywhere, also on a record boundary (BACKUP_TRUNCATED)', () => {
    const bytes = file(PAIRS)
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(code(() => read(bytes.subarray(0, cut), 3))).toMatch(/^BACKUP_(TRUNCATED|NOT_A_BACKUP)$/)
    }
    // The cut right before the end record is a valid prefix of records: only the end is missing.
    expect(code(() => read(bytes.subarray(0, bytes.length - END_LENGTH), 3))).toBe('BACKUP_TRUNCATED')
  })

  it('refuses bytes after the end, another file, and another format version', () => {
    const bytes = file(PAIRS)
    expect(code(() => read(Buffer.concat([bytes, Uint8Array.of(1)]), 1000))).toBe('BACKUP_DAMAGED')
    expect(code(() => read(enc.encode('SQLite format 3\0 and more bytes'), 1000))).toBe('BACKUP_NOT_A_BACKUP')
    const w = new BackupWriter()
    const v2 = Buffer.concat([w.start({ ...header, format: 2 }), w.end().bytes])
    expect(code(() => read(v2, 1000))).toBe('BACKUP_FORMAT_UNSUPPORTED')
  })

  it('a record removed with the counts left as they were is refused', () => {
    const w = new BackupWriter()
    const start = w.start(header)
    w.records([[enc.encode('a'), enc.encode('1')]])
    const second = w.records([[enc.encode('b'), enc.encode('2')]])
    const end = w.end().bytes
    // Drop the first record: its digest and count no longer hold.
    expect(code(() => read(Buffer.concat([start, second, end]), 1000))).toBe('BACKUP_DAMAGED')
  })
})
