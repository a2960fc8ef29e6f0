/**
 * Lookups at the index ("where are L's results") on a real LevelDB: the row of each learner's
 * sources that lets a lookup use point reads (and a store written before it, read by the range
 * scan), and the access rows of concurrent lookups committed together in one unit of work.
 */
import { describe, it, expect } from 'vitest'
import { LearnerRegistry } from '../../../../../src/services/registry/learners/registry.ts'
import { silentLogger } from '../../../../../src/core/observability/logger.ts'
import { BATCH_LOG_TYPE } from '../../../../../src/services/registry/learners/draft.ts'
import { POINTER_SOURCES_MARK, pointerSourcesKey } from '../../../../../src/services/registry/learners/keys.ts'
import { openTestRegistry, accessor, learnerInput, MEMBERS, type TestRegistry } from '../../../../helpers/learners.ts'
import { ORG } from '../../../../helpers/federation.ts'
import { syntheticPerson } from '../../../../../src/demo/synthetic.ts'
import type { Sublevel } from '../../../../../src/store/leveldb/storage.ts'

const UIO = ORG.a
const NTNU = ORG.b
const PORTAL = ORG.c
const portal = (): ReturnType<typeof accessor> => accessor(PORTAL, 'portal.own-results', 'gdpr-6-1-e')

async function keysWith (store: Sublevel, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const k of store.keys()) if (k.startsWith(prefix)) out.push(k)
  return out
}

async function learners (t: TestRegistry, from: number, count: number): Promise<string[]> {
  const outcomes = await t.registry.registerLearners(Array.from({ length: count }, (_, i) => learnerInput(from + i)), accessor(UIO))
  return outcomes.map((o) => o.learnerId as string)
}

/** The identity check of an institution's first pointer for a learner another registered. */
function identity (n: number): { name: { given: string, family: string }, birthDate: string } {
  const p = syntheticPerson(n)
  return { name: { given: p.given, family: p.family }, birthDate: p.birthDate }
}

const sourcesOf = async (t: TestRegistry, learnerId: string): Promise<string[]> => (await t.registry.findResultSources({ learnerId }, portal())).sources.map((s) => s.organisationNumber as string)

describe('index lookups', () => {
  it('keeps each learner\'s sources in one row with the pointers, and answers from it', async () => {
    const t = await openTestRegistry()
    const [a, b] = await learners(t, 1, 2) as [string, string]
    await t.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'register' }, { learner: { learnerId: b }, action: 'register' }], [], accessor(UIO))
    await t.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'register', identity: identity(1) }], [], accessor(NTNU))
    const store = t.storage.sublevel('learners')
    expect(new TextDecoder().decode(await store.get(pointerSourcesKey(a)))).toMatch(new RegExp(`^${UIO} registered \\d+;${NTNU} registered \\d+$`))
    expect(await store.get(POINTER_SOURCES_MARK)).toBeDefined()
    expect(await sourcesOf(t, a)).toEqual([UIO, NTNU].sort())
    expect(await sourcesOf(t, b)).toEqual([UIO])
    // A withdrawn pointer stays in the row, withdrawn, and is no source.
    await t.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'withdraw' }], [], accessor(UIO))
    expect(await sourcesOf(t, a)).toEqual([NTNU])
    expect(new TextDecoder().decode(await store.get(pointerSourcesKey(a)))).toMatch(new RegExp(`^${UIO} withdrawn \\d+;${NTNU} registered \\d+$`))
    await t.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'register' }], [], accessor(UIO))
    expect(await sourcesOf(t, a)).toEqual([UIO, NTNU].sort())
  })

  it('a store whose pointers were written before the rows is read by range scan, and keeps no rows', async () => {
    const first = await openTestRegistry()
    const [a] = await learners(first, 3, 1) as [string]
    await first.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'register' }], [], accessor(UIO))
    // As a store written before the rows existed: pointer heads, no rows, no mark.
    const store = first.storage.sublevel('learners')
    for (const k of await keysWith(store, 'ps')) await store.del(k)
    // A node started on it: a registry that has not seen the store yet.
    const t: TestRegistry = {
      ...first,
      registry: new LearnerRegistry(
        { store, log: first.log, federation: { membersWithRole: (role) => MEMBERS.filter((m) => m.roles.includes(role)), activeMembers: () => MEMBERS }, logger: silentLogger() },
        { allowSynthetic: true, organisationNumber: ORG.operator }
      )
    }
    expect(await sourcesOf(t, a)).toEqual([UIO])
    await t.registry.registerIndexEntries([{ learner: { learnerId: a }, action: 'register', identity: identity(3) }], [], accessor(NTNU))
    expect(await sourcesOf(t, a)).toEqual([UIO, NTNU].sort())
    expect(await keysWith(store, 'ps')).toEqual([])
  })

  it('the access rows of concurrent lookups share units of work: every row durable, far fewer log entries than lookups', async () => {
    const t = await openTestRegistry()
    const ids = await learners(t, 10, 40)
    await t.registry.registerIndexEntries(ids.map((learnerId) => ({ learner: { learnerId }, action: 'register' as const })), [], accessor(UIO))
    const before = t.log.entries.length
    const found = await Promise.all(ids.map(async (learnerId) => await t.registry.findResultSources({ learnerId }, portal())))
    expect(found.every((f) => f.sources.length === 1)).toBe(true)
    const store = t.storage.sublevel('learners')
    for (const id of ids) expect(await keysWith(store, `a/${id}/`)).toHaveLength(1)
    const entries = t.log.entries.slice(before)
    expect(entries.every((e) => e.type === BATCH_LOG_TYPE)).toBe(true)
    // One lookup alone is written at once; those that arrive meanwhile go together in the next unit.
    expect(entries.length).toBeGreaterThanOrEqual(1)
    expect(entries.length).toBeLessThanOrEqual(ids.length / 4)
  })
})
