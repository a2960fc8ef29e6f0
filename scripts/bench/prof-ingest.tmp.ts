import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { openStorage } from '../../src/storage/storage.ts'
import { LogStore } from '../../src/log/store.ts'
import { generateSigningKey } from '../../src/crypto/ed25519.ts'
import { ResultRegistry } from '../../src/registry/results/registry.ts'
import type { LearnerInput } from '../../src/registry/results/model.ts'
import { benchCatalogue, benchResults, organisationNumbers, syntheticNationalIds } from './results-fixtures.ts'
const total = Number(process.argv[2] ?? 10000)
const BATCH = 5000
const tmp = mkdtempSync(join(tmpdir(), 'rprof-'))
const storage = await openStorage(join(tmp, 'ingest'))
const store = await LogStore.open({ storage })
const org = organisationNumbers(1)[0] as string
const registry = new ResultRegistry({ store: storage.sublevel('results'), log: store, key: generateSigningKey(), catalogue: benchCatalogue() }, { self: { id: 'I', organisationNumber: org, name: { nb: 'Bench' } }, allowSynthetic: true })
await registry.load()
const ids = syntheticNationalIds(Math.ceil(total / 10))
const learners: LearnerInput[] = ids.map((id, i) => ({ nationalId: id, givenNames: `Learner ${i}`, familyName: 'Bench', birthDate: '1990-01-01' }))
let t = performance.now()
await registry.ingest({ learners })
console.log('learners', performance.now() - t)
await registry.ingest({ results: benchResults(org, 500, 10_000_000, learners[0]) })
const batches = Array.from({ length: Math.ceil(total / BATCH) }, (_, b) => Array.from({ length: Math.min(BATCH, total - b * BATCH) }, (_, i) => {
  const n = b * BATCH + i
  return benchResults(org, 1, n, learners[n % learners.length])[0]!
}))
const c0 = process.cpuUsage()
t = performance.now()
for (const results of batches) {
  const t1 = performance.now()
  const p = await registry.prepare({ results })
  const t2 = performance.now()
  await registry.commit(p)
  console.log('prepare', (t2 - t1).toFixed(0), 'commit', (performance.now() - t2).toFixed(0))
}
const s = (performance.now() - t) / 1000
const c = process.cpuUsage(c0)
console.log(`${(total / s).toFixed(0)} results/s, cpu/result ${((c.user + c.system) / total).toFixed(0)} us`)
console.log("closing"); await store.close(); console.log("log closed"); await storage.close(); console.log("closed")
