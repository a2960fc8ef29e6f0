/**
 * Child process of the crash test: an index that registers learners and pointers and prints
 * each acknowledged batch (`ack <first> <count> <learner IDs…>`) until it is killed.
 */
import { randomBytes } from 'node:crypto'
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../src/store/log/store.ts'
import { silentLogger } from '../../../src/core/observability/logger.ts'
import { LearnerRegistry } from '../../../src/services/registry/learners/registry.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'

const storage = await openStorage(process.argv[2] as string)
const log = await LogStore.open({ storage })
const registry = new LearnerRegistry({ store: storage.sublevel('learners'), log, federation: { membersWithRole: () => [], activeMembers: () => [] }, logger: silentLogger() }, { allowSynthetic: true, organisationNumber: '919477822' })
const who = (): Parameters<LearnerRegistry['registerLearners']>[1] => ({
  organisationNumber: '971035854',
  peerId: 'p',
  peerIdBytes: new Uint8Array([1]),
  requestId: randomBytes(16),
  purpose: 'results.register',
  legalBasis: 'gdpr-6-1-e',
  channel: 'rpc',
  role: 'institution',
  callerName: 'Universitetet i Oslo'
})
const cache = new Map()
for (let first = 0;; first += 50) {
  const people = Array.from({ length: 50 }, (_, i) => syntheticPerson(first + i, cache))
  const outcomes = await registry.registerLearners(people.map((p) => ({ identifiers: [{ scheme: 'national-id', value: p.nationalId }], name: { given: p.given, family: p.family }, birthDate: p.birthDate })), who())
  await registry.registerIndexEntries(people.map((p) => ({ learner: { identifier: { scheme: 'national-id', value: p.nationalId } }, action: 'register' })), [], who())
  process.stdout.write(`ack ${first} ${outcomes.length} ${outcomes.map((o) => o.learnerId).join(' ')}\n`)
}
