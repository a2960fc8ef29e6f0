/**
 * Child process of the results crash test: issues results in batches through the real registry
 * and log, printing every acknowledged result ID, until it is killed.
 */
import { openStorage } from '../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../src/store/log/store.ts'
import { generateSigningKey } from '../../../src/core/crypto/ed25519.ts'
import { ResultRegistry } from '../../../src/services/registry/results/registry.ts'
import { testCatalogue, LEARNERS, course, UIO } from '../../helpers/results.ts'

const storage = await openStorage(process.argv[2] as string)
const log = await LogStore.open({ storage })
const registry = new ResultRegistry({ store: storage.sublevel('results'), log, key: generateSigningKey(), catalogue: testCatalogue() }, { self: UIO, allowSynthetic: true })
await registry.load()
await registry.ingest({ learners: [LEARNERS.kari, LEARNERS.ola] })
for (let batch = 0;; batch++) {
  const report = await registry.ingest({ results: Array.from({ length: 50 }, (_, i) => course(`crash-${batch}-${i}`, i % 2 === 0 ? LEARNERS.kari : LEARNERS.ola, 'IN1000', 'ABCDE'[i % 5] as string)) })
  process.stdout.write(report.results.map((r) => r.resultId).join('\n') + '\n')
}
