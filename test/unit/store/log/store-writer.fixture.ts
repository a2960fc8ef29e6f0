/** Child process of the crash test: appends records with their leaves until killed. */
import { openStorage } from '../../../../src/store/leveldb/storage.ts'
import { LogStore } from '../../../../src/store/log/store.ts'

const storage = await openStorage(process.argv[2] as string)
const log = await LogStore.open({ storage })
const education = storage.sublevel('education')
for (let batch = 0;; batch++) {
  await Promise.all(Array.from({ length: 4 }, async (_, j) => {
    const entries = []
    const ops = []
    for (let i = 0; i < 25; i++) {
      const key = `r-${batch}-${j}-${i}`
      const record = new TextEncoder().encode(`record ${key} `.repeat(1 + (i % 7)))
      entries.push({ type: 'test.thing', key, record })
      ops.push({ type: 'put' as const, sublevel: education, key, value: record })
    }
    await log.append(entries, ops)
  }))
  process.stdout.write(`${log.size}\n`)
}
