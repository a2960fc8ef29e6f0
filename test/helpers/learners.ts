/**
 * A learner registry on a real LevelDB in a temporary directory, for unit tests.
 */
import { randomBytes } from 'node:crypto'
import { onTestFinished } from 'vitest'
import { openStorage, type Storage } from '../../src/storage/storage.ts'
import { silentLogger } from '../../src/observability/logger.ts'
import { LearnerRegistry } from '../../src/registry/learners/registry.ts'
import type { LogAppender, LogEntryInput } from '../../src/registry/learners/journal.ts'
import type { Accessor } from '../../src/registry/learners/model.ts'
import type { Member } from '../../src/federation/manifest.ts'
import { syntheticPerson } from '../../src/demo/synthetic.ts'
import type { LearnerInput } from '../../src/registry/learners/model.ts'
import { tempDir, ORG } from './federation.ts'

/**
 * Appends to an in-memory list and writes the record operations in one synced batch.
 * Stands in for the node's Merkle log store until that lands on main.
 */
export function recordingLog (storage: Storage): LogAppender & { entries: LogEntryInput[] } {
  const entries: LogEntryInput[] = []
  return {
    entries,
    async append (batch, ops = []) {
      await storage.db.batch(ops.map((op) => op.type === 'put'
        ? { type: 'put' as const, sublevel: op.sublevel, key: op.key, value: op.value }
        : { type: 'del' as const, sublevel: op.sublevel, key: op.key }), { sync: true })
      const first = entries.length
      entries.push(...batch)
      return { indexes: batch.map((_, i) => first + i), treeSize: entries.length }
    }
  }
}

export function member (organisationNumber: string, name: string, roles: Member['roles']): Member {
  const peerIdBytes = randomBytes(38)
  return { peerId: `peer-${organisationNumber}`, peerIdBytes, publicKey: randomBytes(32), organisationNumber, name, roles, multiaddrs: [], httpBaseUrl: '', validFrom: 0, validTo: Number.MAX_SAFE_INTEGER }
}

export const MEMBERS: Member[] = [
  member(ORG.a, 'Universitetet i Oslo', ['institution']),
  member(ORG.b, 'NTNU', ['institution']),
  member(ORG.operator, 'Sikt', ['index']),
  member(ORG.c, 'Vitnemålsportalen', ['portal'])
]

export interface TestRegistry {
  registry: LearnerRegistry
  storage: Storage
  log: ReturnType<typeof recordingLog>
  dir: string
}

export async function openTestRegistry (options: { allowSynthetic?: boolean, now?: () => number, dir?: string } = {}): Promise<TestRegistry> {
  const dir = options.dir ?? tempDir('lifelong-learners-')
  const storage = await openStorage(dir)
  onTestFinished(async () => { await storage.close() })
  const log = recordingLog(storage)
  const members = MEMBERS
  const registry = new LearnerRegistry({
    store: storage.sublevel('learners'),
    log,
    federation: { membersWithRole: (role) => members.filter((m) => m.roles.includes(role)), activeMembers: () => members },
    logger: silentLogger(),
    ...(options.now === undefined ? {} : { now: options.now })
  }, { allowSynthetic: options.allowSynthetic ?? true, organisationNumber: ORG.operator })
  return { registry, storage, log, dir }
}

/** An accessor as the RPC handler builds it. */
export function accessor (organisationNumber: string, purpose = 'results.register', legalBasis = 'gdpr-6-1-e'): Accessor {
  return { organisationNumber, peerId: `peer-${organisationNumber}`, peerIdBytes: new Uint8Array([1, 2, 3]), requestId: randomBytes(16), purpose, legalBasis, channel: 'rpc' }
}

/** The n-th synthetic learner as an institution would send it. */
export function learnerInput (n: number, extra: Partial<LearnerInput> = {}): LearnerInput {
  const p = syntheticPerson(n)
  return { identifiers: [{ scheme: 'national-id', value: p.nationalId }], name: { given: p.given, family: p.family }, birthDate: p.birthDate, gender: p.gender, ...extra }
}
