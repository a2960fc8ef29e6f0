/**
 * A learner registry on a real LevelDB in a temporary directory, for unit tests.
 */
import { randomBytes } from 'node:crypto'
import { onTestFinished } from 'vitest'
import { openStorage, type Storage } from '../../src/store/leveldb/storage.ts'
import { silentLogger } from '../../src/core/observability/logger.ts'
import { LearnerRegistry } from '../../src/services/registry/learners/registry.ts'
import type { LogEntryInput } from '../../src/store/log/store.ts'
import type { LogWriter } from '../../src/store/log/unit-of-work.ts'
import { LogStore } from '../../src/store/log/store.ts'
import type { Accessor } from '../../src/services/registry/learners/model.ts'
import type { Member } from '../../src/core/federation/manifest.ts'
import { syntheticPerson } from '../../src/demo/synthetic.ts'
import type { LearnerInput } from '../../src/services/registry/learners/model.ts'
import { tempDir, ORG } from './federation.ts'
import type { OfferingCheck } from '../../src/services/registry/learners/context.ts'

/**
 * The node's real log store on the same LevelDB, with every entry of a durable unit of work also
 * kept in a list, so that tests can look at exactly what went into the log.
 */
export async function recordingLog (storage: Storage, now?: () => number): Promise<LogWriter & { entries: LogEntryInput[], store: LogStore }> {
  const store = await LogStore.open({ storage, ...(now === undefined ? {} : { now }) })
  const entries: LogEntryInput[] = []
  const submit = store.submit.bind(store)
  // Recorded once durable, before the unit's own continuation runs (registered first).
  store.submit = (request) => {
    const ticket = submit(request)
    ticket.done.then(() => {
      entries.push(...request.entries)
    }, () => {})
    return ticket
  }
  return {
    entries,
    store,
    transaction: async (work, options) => await store.transaction(work, options)
  }
}

export function member (organisationNumber: string, name: string, roles: Member['roles']): Member {
  const peerIdBytes = randomBytes(38)
  return { peerId: `peer-${organisationNumber}`, peerIdBytes, publicKey: randomBytes(32), organisationNumber, name, roles, multiaddrs: [], httpBaseUrl: '', validFrom: 0, validTo: Number.MAX_SAFE_INTEGER, credentialIssuerKeys: [] }
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
  log: Awaited<ReturnType<typeof recordingLog>>
  dir: string
}

export async function openTestRegistry (options: { allowSynthetic?: boolean, now?: () => number, dir?: string, offerings?: OfferingCheck } = {}): Promise<TestRegistry> {
  const dir = options.dir ?? tempDir('lifelong-learners-')
  const storage = await openStorage(dir)
  const log = await recordingLog(storage, options.now)
  onTestFinished(async () => {
    await log.store.close()
    await storage.close()
  })
  const members = MEMBERS
  const registry = new LearnerRegistry(
    {
      store: storage.sublevel('learners'),
      log,
      federation: { membersWithRole: (role) => members.filter((m) => m.roles.includes(role)), activeMembers: () => members },
      logger: silentLogger(),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.offerings === undefined ? {} : { offerings: options.offerings })
    },
    { allowSynthetic: options.allowSynthetic ?? true, organisationNumber: ORG.operator }
  )
  return { registry, storage, log, dir }
}

/**
 * An accessor as the RPC handler builds it for the member of {@link MEMBERS} with this
 * organisation number: the operator's index node acts as the operator, the portal as portal,
 * the others as institutions.
 */
export function accessor (organisationNumber: string, purpose = 'results.register', legalBasis = 'gdpr-6-1-e'): Accessor {
  const m = MEMBERS.find((x) => x.organisationNumber === organisationNumber)
  const role = m?.roles.includes('index') === true ? 'operator' : m?.roles.includes('portal') === true ? 'portal' : 'institution'
  return { organisationNumber, peerId: m?.peerId ?? `peer-${organisationNumber}`, peerIdBytes: m?.peerIdBytes ?? new Uint8Array([1, 2, 3]), requestId: randomBytes(16), purpose, legalBasis, channel: 'rpc', role, callerName: m?.name ?? '' }
}

/** The n-th synthetic learner as an institution would send it. */
export function learnerInput (n: number, extra: Partial<LearnerInput> = {}): LearnerInput {
  const p = syntheticPerson(n)
  return { identifiers: [{ scheme: 'national-id', value: p.nationalId }], name: { given: p.given, family: p.family }, birthDate: p.birthDate, gender: p.gender, ...extra }
}
