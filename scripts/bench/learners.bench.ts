/**
 * The national index at scale (issue 5): learners and result-source pointers registered through
 * the registry (validation, identity resolution, versioned records, the node's Merkle log, one
 * synced LevelDB batch per request of 1000 entries), then lookups "where are L's results" by
 * national ID (each leaves a durable access row before it answers). Baselines in the same run:
 * raw LevelDB puts of the same record keys (same learner IDs, same national IDs) in synced
 * batches of the same size, and raw gets of the keys a lookup reads.
 *
 * Also: `validateNationalId` against @navikt/fnrvalidator on the same inputs (throughput and
 * agreement, by kind of input).
 *
 * Sizes: the goal's 5 million learners and 20 million pointers (4 institutions each) in full
 * mode (about 30 minutes here); quick mode 10 000 and 40 000. `LEARNERS_BENCH_LEARNERS=<n>`
 * overrides the learner count; a full run below the goal's size states the extrapolation.
 */
import { readdirSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Level } from 'level'
import { idnr } from '@navikt/fnrvalidator'
import { lifelong } from '../../src/core/gen/proto.js'
import { LEVELDB_OPTIONS, openStorage } from '../../src/store/leveldb/storage.ts'
import { LogStore } from '../../src/store/log/store.ts'
import { silentLogger } from '../../src/core/observability/logger.ts'
import { LearnerRegistry } from '../../src/services/registry/learners/registry.ts'
import { identifierKey, learnerHeadKey, learnerVersionKey, pointerHeadKey, pointerHeadPrefix, pointerVersionKey, prefixEnd } from '../../src/services/registry/learners/keys.ts'
import type { Accessor } from '../../src/services/registry/learners/model.ts'
import { checkDigits, prng, syntheticNationalId, syntheticPerson } from '../../src/demo/synthetic.ts'
import { isValidNationalId, validateNationalId } from '../../src/core/identifiers/index.ts'
import type { Member } from '../../src/core/federation/manifest.ts'
import { fmt, mib, percentile, type Benchmark, type BenchRow } from './harness.ts'

const INSTITUTIONS = ['971035854', '974767880', '874789542', '970422528']
/** The issue's size: 5 million learners, 4 pointers each. */
const GOAL_LEARNERS = 5_000_000
/** Full mode's size: the goal's (29 minutes on this shared 2-core machine at a load average of 2–13). */
const FULL_LEARNERS = GOAL_LEARNERS
const BATCH = 1000

function du (dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    total += entry.isDirectory() ? du(p) : statSync(p).size
  }
  return total
}

function accessor (organisationNumber: string, purpose: string): Accessor {
  const role = organisationNumber === '919477822' ? 'portal' : 'institution'
  return { organisationNumber, peerId: `peer-${organisationNumber}`, peerIdBytes: new Uint8Array(38).fill(1), requestId: randomBytes(16), purpose, legalBasis: 'gdpr-6-1-e', channel: 'rpc', role, callerName: organisationNumber }
}

function member (organisationNumber: string, roles: Member['roles']): Member {
  return {
    peerId: `peer-${organisationNumber}`,
    peerIdBytes: new Uint8Array(38),
    publicKey: new Uint8Array(32),
    organisationNumber,
    name: organisationNumber,
    roles,
    multiaddrs: [],
    httpBaseUrl: '',
    validFrom: 0,
    validTo: Number.MAX_SAFE_INTEGER,
    credentialIssuerKeys: [],
    identity: `peer-${organisationNumber}`,
    keys: []
  }
}

/** Inputs for the validator comparison, by kind, from a seeded PRNG. */
function validatorInputs (count: number): Array<{ kind: string, value: string }> {
  const rnd = prng(5)
  const out: Array<{ kind: string, value: string }> = []
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('')
  const date = (): string => new Date(Date.UTC(1940, 0, 1) + Math.floor(rnd() * 30_000) * 86_400_000).toISOString().slice(0, 10)
  const withOffsets = (options: Parameters<typeof syntheticNationalId>[2]): string => {
    for (;;) {
      const birthDate = date()
      const v = syntheticNationalId(birthDate, Math.floor(rnd() * (birthDate < '2000' ? 500 : 1000)), options)
      if (v !== undefined) return v
    }
  }
  const k2032 = (): string => {
    // K1 remainder 1–3: valid only under the 2032 rule.
    for (;;) {
      const nine = `${digits(9)}`
      for (let k1 = 0; k1 < 10; k1++) {
        const ten = nine + String(k1)
        const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1]
        const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        const r1 = [...ten].reduce((s, d, i) => s + Number(d) * (W1[i] as number), 0) % 11
        const k2 = (11 - ([...ten].reduce((s, d, i) => s + Number(d) * (W2[i] as number), 0) % 11)) % 11
        if (r1 >= 1 && r1 <= 3 && k2 < 10) return ten + String(k2)
      }
    }
  }
  const kinds: Array<[string, () => string]> = [
    ['fnr', () => withOffsets({ monthOffset: 0 })],
    ['dnr', () => withOffsets({ monthOffset: 0, dNumber: true })],
    ['synthetic Tenor (+80)', () => withOffsets({ monthOffset: 80 })],
    ['H-number / NAV (+40)', () => withOffsets({ monthOffset: 40 })],
    ['synthetic NHN (+65)', () => withOffsets({ monthOffset: 65 })],
    ['2032 rule only', k2032],
    ['one digit changed', () => {
      const v = withOffsets({ monthOffset: 0 })
      const i = Math.floor(rnd() * 11)
      return v.slice(0, i) + String((Number(v[i]) + 1 + Math.floor(rnd() * 9)) % 10) + v.slice(i + 1)
    }],
    ['random 11 digits', () => digits(11)],
    ['FH-number (first digit 8 or 9)', () => {
      for (;;) {
        const nine = String(8 + Math.floor(rnd() * 2)) + digits(8)
        const k = checkDigits(nine)
        if (k !== undefined) return nine + k
      }
    }],
    ['wrong length', () => digits(rnd() < 0.5 ? 10 : 12)]
  ]
  for (let i = 0; i < count; i++) {
    const [kind, make] = kinds[i % kinds.length] as [string, () => string]
    out.push({ kind, value: make() })
  }
  return out
}

const bench: Benchmark = {
  name: 'learners',
  title: 'National index: learner registry and result-source pointers (issue 5)',
  goal:
    'an index of 5 million learners and 20 million pointers on this machine: registration rate (pointers/s, batched, durable), lookup p50/p99, disk and memory, against raw LevelDB on the same keys; validateNationalId against @navikt/fnrvalidator.',
  async run ({ quick, tmp, log }) {
    const learners = Number(process.env.LEARNERS_BENCH_LEARNERS ?? (quick ? 10_000 : FULL_LEARNERS))
    const pointersPerLearner = INSTITUTIONS.length
    const lookups = quick ? 300 : 10_000
    const rows: BenchRow[] = []
    const notes: string[] = []
    const cache: Parameters<typeof syntheticPerson>[1] = new Map()
    // The synthetic sequence's per-date tables (30,000 dates), built before anything is timed:
    // otherwise the first 30,000 learners of the registry's run pay for them and the raw run does not.
    for (let n = 0; n < Math.min(learners, 30_000); n++) syntheticPerson(n, cache)

    // ---------------------------------------------------------------- the registry
    const storage = await openStorage(join(tmp, 'index'))
    const logStore = await LogStore.open({ storage })
    const members = [...INSTITUTIONS.map((o) => member(o, ['institution'])), member('919477822', ['index'])]
    const registry = new LearnerRegistry(
      { store: storage.sublevel('learners'), log: logStore, federation: { membersWithRole: (role) => members.filter((m) => m.roles.includes(role)), activeMembers: () => members }, logger: silentLogger() },
      { allowSynthetic: true, organisationNumber: '919477822' }
    )

    const learnerIds: string[] = new Array(learners)
    let last = { at: performance.now(), done: 0 }
    const progress = (what: string, done: number, total: number, started: number): void => {
      const now = performance.now()
      const recent = done > last.done ? `, last ${fmt(done - last.done)} at ${fmt((done - last.done) / ((now - last.at) / 1000))}/s` : ''
      log(`${what}: ${fmt(done)} / ${fmt(total)}, ${fmt(done / ((now - started) / 1000))}/s${recent}, rss ${mib(process.memoryUsage().rss)}, load ${fmt(loadavg()[0] ?? 0, 1)}`)
      last = { at: now, done }
    }
    const loadAtStart = loadavg()
    // Two institutions' imports at a time: the registry builds one batch while the other is written.
    let started = performance.now()
    let cpu = process.cpuUsage()
    let nextBatch = 0
    await Promise.all([0, 1].map(async () => {
      for (;;) {
        const first = nextBatch
        nextBatch += BATCH
        if (first >= learners) return
        const batch = []
        for (let n = first; n < Math.min(learners, first + BATCH); n++) {
          const p = syntheticPerson(n, cache)
          batch.push({ identifiers: [{ scheme: 'national-id', value: p.nationalId }], name: { given: p.given, family: p.family }, birthDate: p.birthDate, gender: p.gender })
        }
        const outcomes = await registry.registerLearners(batch, accessor(INSTITUTIONS[(first / BATCH) % INSTITUTIONS.length] as string, 'admission.register'))
        outcomes.forEach((o, i) => {
          learnerIds[first + i] = o.learnerId as string
        })
        if ((first / BATCH) % 500 === 0) progress('learners', first + batch.length, learners, started)
      }
    }))
    const learnerSeconds = (performance.now() - started) / 1000
    last = { at: performance.now(), done: 0 }
    const learnerCpu = process.cpuUsage(cpu)
    log(`learners: ${fmt(learners / learnerSeconds)}/s`)

    started = performance.now()
    cpu = process.cpuUsage()
    const pointerTotal = learners * pointersPerLearner
    // The four institutions register at the same time, each one batch after another.
    let sent = 0
    await Promise.all(INSTITUTIONS.map(async (org) => {
      for (let first = 0; first < learners; first += BATCH) {
        const entries = []
        for (let n = first; n < Math.min(learners, first + BATCH); n++) {
          const p = syntheticPerson(n, cache)
          // Three of four institutions did not register the learner: their first pointer carries the name and birth date.
          entries.push({ learner: { identifier: { scheme: 'national-id', value: p.nationalId } }, action: 'register', identity: { name: { given: p.given, family: p.family }, birthDate: p.birthDate } })
        }
        const res = await registry.registerIndexEntries(entries, [], accessor(org, 'results.register'))
        if (res.pointers.some((o) => o.status !== 'registered')) throw new Error('a pointer was not registered')
        sent += entries.length
        if ((sent / BATCH) % 1000 === 0) progress('pointers', sent, pointerTotal, started)
      }
    }))
    const pointerSeconds = (performance.now() - started) / 1000
    const pointerCpu = process.cpuUsage(cpu)
    const pointerRate = pointerTotal / pointerSeconds
    log(`pointers: ${fmt(pointerRate)}/s`)

    const rnd = prng(11)
    const sample = Array.from({ length: lookups }, () => Math.floor(rnd() * learners))
    const lookupMs: number[] = []
    const portal = (): Accessor => accessor('919477822', 'portal.own-results')
    for (const n of sample.slice(0, 100)) await registry.findResultSources({ identifier: { scheme: 'national-id', value: syntheticPerson(n, cache).nationalId } }, portal())
    started = performance.now()
    for (const n of sample) {
      const t = performance.now()
      const res = await registry.findResultSources({ identifier: { scheme: 'national-id', value: syntheticPerson(n, cache).nationalId } }, portal())
      lookupMs.push(performance.now() - t)
      if (res.sources.length !== pointersPerLearner) throw new Error('a lookup found the wrong sources')
    }
    lookupMs.sort((a, b) => a - b)
    const lookupRate = lookups / ((performance.now() - started) / 1000)
    // Concurrent lookups of other learners than above (whose reads the access windows of the
    // last minute already cover, so that every lookup here writes its access row): the rows of
    // the lookups in flight go into one unit of work, the units into shared synced batches.
    const seen = new Set(sample)
    const parallelSample: number[] = []
    const rnd2 = prng(12)
    while (parallelSample.length < lookups) {
      const n = Math.floor(rnd2() * learners)
      if (!seen.has(n)) {
        seen.add(n)
        parallelSample.push(n)
      }
      if (seen.size >= learners) break
    }
    const parallelMs: number[] = []
    const logBefore = logStore.size
    const parallelCpu0 = process.cpuUsage()
    started = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < parallelSample.length) {
        const n = parallelSample[next++] as number
        const t = performance.now()
        const res = await registry.findResultSources({ identifier: { scheme: 'national-id', value: syntheticPerson(n, cache).nationalId } }, portal())
        parallelMs.push(performance.now() - t)
        if (res.sources.length !== pointersPerLearner) throw new Error('a lookup found the wrong sources')
      }
    }))
    const concurrentRate = parallelSample.length / ((performance.now() - started) / 1000)
    const parallelCpu = process.cpuUsage(parallelCpu0)
    const accessUnits = logStore.size - logBefore
    parallelMs.sort((a, b) => a - b)
    const indexMemory = process.memoryUsage()
    const indexPeakRss = process.resourceUsage().maxRSS
    await logStore.close()
    await storage.close()
    const indexDisk = du(join(tmp, 'index'))

    // ---------------------------------------------------------------- raw LevelDB on the same keys
    // The node's LevelDB options (memtable and file size), so that only the registry's work differs.
    const raw = new Level<string, Uint8Array>(join(tmp, 'raw'), { keyEncoding: 'utf8', valueEncoding: 'view', ...LEVELDB_OPTIONS })
    await raw.open()
    const learnerValue = lifelong.learners.LearnerRecord.encode({
      learnerId: learnerIds[0],
      version: 1,
      change: 'created',
      requestId: randomBytes(16),
      recordedAtMs: Date.now(),
      identifiers: [{ scheme: 'fnr', value: '01814000008', source: '971035854' }],
      name: { given: 'Kari', family: 'Nordmann' },
      birthDate: '1940-01-02',
      gender: 'female',
      status: 'active',
      source: '971035854'
    }).finish()
    const headValue = lifelong.learners.LearnerHead.encode({ version: 1, status: 'active' }).finish()
    const pointerValue = lifelong.learners.PointerRecord.encode({ learnerId: learnerIds[0], source: '971035854', version: 1, status: 'registered', requestId: randomBytes(16), recordedAtMs: Date.now() }).finish()
    const pointerHead = lifelong.learners.PointerHead.encode({ version: 1, status: 'registered', recordedAtMs: Date.now() }).finish()
    started = performance.now()
    for (let first = 0; first < learners; first += BATCH) {
      const ops: Array<{ type: 'put', key: string, value: Uint8Array }> = []
      for (let n = first; n < Math.min(learners, first + BATCH); n++) {
        const id = learnerIds[n] as string
        ops.push({ type: 'put', key: `learners!${identifierKey('fnr', syntheticPerson(n, cache).nationalId)}`, value: Buffer.from(id) })
        ops.push({ type: 'put', key: `learners!${learnerHeadKey(id)}`, value: headValue })
        ops.push({ type: 'put', key: `learners!${learnerVersionKey(id, 1)}`, value: learnerValue })
      }
      await raw.batch(ops, { sync: true })
    }
    const rawLearnerSeconds = (performance.now() - started) / 1000
    const rawLearnerRate = learners / rawLearnerSeconds
    started = performance.now()
    const rawCpuStart = process.cpuUsage()
    for (const org of INSTITUTIONS) {
      for (let first = 0; first < learners; first += BATCH) {
        const ops: Array<{ type: 'put', key: string, value: Uint8Array }> = []
        for (let n = first; n < Math.min(learners, first + BATCH); n++) {
          const id = learnerIds[n] as string
          ops.push({ type: 'put', key: `learners!${pointerVersionKey(id, org, 1)}`, value: pointerValue })
          ops.push({ type: 'put', key: `learners!${pointerHeadKey(id, org)}`, value: pointerHead })
        }
        await raw.batch(ops, { sync: true })
      }
    }
    const rawPointerSeconds = (performance.now() - started) / 1000
    const rawPointerRate = pointerTotal / rawPointerSeconds
    const rawPointerCpu = process.cpuUsage(rawCpuStart)
    const cpuMicros = (u: NodeJS.CpuUsage): number => u.user + u.system
    /** The baseline's lookup of learner `n`: the same three reads on raw LevelDB, no access row; its time in ms. */
    const rawLookup = async (n: number): Promise<number> => {
      const t = performance.now()
      const id = await raw.get(`learners!${identifierKey('fnr', syntheticPerson(n, cache).nationalId)}`)
      const lid = Buffer.from(id as Uint8Array).toString()
      await raw.get(`learners!${learnerHeadKey(lid)}`)
      const prefix = `learners!${pointerHeadPrefix(lid)}`
      let found = 0
      for await (const _ of raw.keys({ gte: prefix, lt: prefixEnd(prefix) })) found++
      if (found !== pointersPerLearner) throw new Error('raw lookup found the wrong count')
      return performance.now() - t
    }
    const rawMs: number[] = []
    for (const n of sample) rawMs.push(await rawLookup(n))
    rawMs.sort((a, b) => a - b)
    // The same reads for the parallel sample, 64 at a time.
    const rawParallelMs: number[] = []
    let rawNext = 0
    started = performance.now()
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (rawNext < parallelSample.length) {
        rawParallelMs.push(await rawLookup(parallelSample[rawNext++] as number))
      }
    }))
    const rawParallelRate = parallelSample.length / ((performance.now() - started) / 1000)
    rawParallelMs.sort((a, b) => a - b)
    await raw.close()
    const rawDisk = du(join(tmp, 'raw'))

    rows.push({
      name: `learners registered (${fmt(learners)}, batches of ${BATCH}, 2 at a time, synced)`,
      value: learners / learnerSeconds,
      unit: 'learners/s',
      baseline: { name: 'raw LevelDB, same 3 record keys per learner', value: rawLearnerRate }
    })
    rows.push({
      name: `pointers registered (${fmt(pointerTotal)}, batches of ${BATCH}, 4 institutions at a time, synced)`,
      value: pointerRate,
      unit: 'pointers/s',
      baseline: { name: 'raw LevelDB, same 2 record keys per pointer', value: rawPointerRate },
      note: `${fmt(pointerSeconds / 60, 1)} min in all`
    })
    rows.push({
      name: 'CPU per learner registered (user + system, all threads)',
      value: cpuMicros(learnerCpu) / learners,
      unit: 'µs',
      note: `${fmt(learners / (cpuMicros(learnerCpu) / 1e6))} learners per CPU-second: independent of other load on the machine`
    })
    rows.push({
      name: 'CPU per pointer registered (user + system, all threads)',
      value: cpuMicros(pointerCpu) / pointerTotal,
      unit: 'µs',
      baseline: { name: 'raw LevelDB puts of the same keys', value: cpuMicros(rawPointerCpu) / pointerTotal },
      note: `${fmt(pointerTotal / (cpuMicros(pointerCpu) / 1e6))} pointers per CPU-second`
    })
    rows.push({ name: 'lookup "where are L\'s results" p50, incl. durable access row', value: percentile(lookupMs, 50), unit: 'ms', baseline: { name: 'raw gets of the same keys, no access row', value: percentile(rawMs, 50) } })
    rows.push({ name: 'lookup p99, incl. durable access row', value: percentile(lookupMs, 99), unit: 'ms', baseline: { name: 'raw gets p99', value: percentile(rawMs, 99) } })
    rows.push({ name: 'lookups one at a time', value: lookupRate, unit: 'lookups/s', note: 'each waits for its own fsync' })
    rows.push({
      name: 'lookups, 64 in parallel, each with its durable access row',
      value: concurrentRate,
      unit: 'lookups/s',
      baseline: { name: 'raw gets of the same keys, 64 in parallel, no access row', value: rawParallelRate },
      note: `p50 ${fmt(percentile(parallelMs, 50), 2)} ms, p99 ${fmt(percentile(parallelMs, 99), 2)} ms (raw: ${fmt(percentile(rawParallelMs, 50), 2)} / ${fmt(percentile(rawParallelMs, 99), 2)} ms); ${
        fmt(cpuMicros(parallelCpu) / parallelSample.length)
      } µs of CPU per lookup (all threads); ${fmt(parallelSample.length)} access rows in ${fmt(accessUnits)} log entries (the rows of the lookups in flight share a unit)`
    })
    rows.push({ name: 'disk: index (records, indexes, Merkle log, access rows)', value: indexDisk / 2 ** 20, unit: 'MiB', baseline: { name: 'raw LevelDB, same record keys', value: rawDisk / 2 ** 20 } })
    rows.push({ name: 'memory: RSS after the index run', value: indexMemory.rss / 2 ** 20, unit: 'MiB', note: `heap ${mib(indexMemory.heapUsed)}; includes the benchmark's own ${fmt(learners)} learner IDs` })
    rows.push({ name: 'memory: peak RSS of the index run', value: indexPeakRss / 2 ** 10, unit: 'MiB', note: 'process.resourceUsage().maxRSS' })

    // ---------------------------------------------------------------- validateNationalId vs @navikt/fnrvalidator
    const inputs = validatorInputs(quick ? 60_000 : 1_800_000)
    const values = inputs.map((i) => i.value)
    let ours = 0
    let t0 = performance.now()
    for (const v of values) if (isValidNationalId(v)) ours++
    const ourRate = values.length / ((performance.now() - t0) / 1000)
    let theirs = 0
    t0 = performance.now()
    for (const v of values) if (idnr(v).status === 'valid') theirs++
    const theirRate = values.length / ((performance.now() - t0) / 1000)
    const byKind = new Map<string, { n: number, agree: number, ours: number, theirs: number }>()
    const why = new Map<string, number>()
    for (const { kind, value } of inputs) {
      const a = isValidNationalId(value)
      const b = idnr(value).status === 'valid'
      const k = byKind.get(kind) ?? { n: 0, agree: 0, ours: 0, theirs: 0 }
      k.n++
      if (a === b) k.agree++
      else {
        const r = validateNationalId(value)
        const reason = a
          ? `valid here as ${r.kind ?? '?'}${r.synthetic === undefined ? '' : ` (synthetic ${r.synthetic})`}${r.rule === '2032' ? ', 2032 rule' : ''}; invalid there`
          : `valid there; invalid here: ${(r.reasons ?? []).join(', ')}`
        why.set(reason, (why.get(reason) ?? 0) + 1)
      }
      if (a) k.ours++
      if (b) k.theirs++
      byKind.set(kind, k)
    }
    const agree = [...byKind.values()].reduce((s, k) => s + k.agree, 0)
    rows.push({
      name: `isValidNationalId (${fmt(values.length)} mixed inputs)`,
      value: ourRate / 1e6,
      unit: 'M checks/s',
      baseline: { name: '@navikt/fnrvalidator idnr()', value: theirRate / 1e6 },
      note: `valid: ours ${fmt(ours)}, theirs ${fmt(theirs)}`
    })
    rows.push({ name: 'agreement with @navikt/fnrvalidator', value: (100 * agree) / values.length, unit: '%' })
    notes.push(
      'Agreement by kind of input (valid here / valid there / same verdict):\n\n| input | n | valid (lifelong) | valid (navikt) | same verdict |\n|---|---:|---:|---:|---:|\n' +
        [...byKind].map(([kind, k]) => `| ${kind} | ${fmt(k.n)} | ${fmt(k.ours)} | ${fmt(k.theirs)} | ${fmt((100 * k.agree) / k.n, 1)} % |`).join('\n')
    )
    notes.push('Every disagreement, by cause:\n\n| cause | count |\n|---|---:|\n' + [...why].sort((x, y) => y[1] - x[1]).map(([reason, count]) => `| ${reason} | ${fmt(count)} |`).join('\n'))
    notes.push(
      'Both accept the 2032 check-digit rule. navikt reads every month + 40 or more as an H-number or Tenor number, so Norsk Helsenett synthetic numbers (month + 65) fail its date check, and it reads a first digit 8 or 9 as a D-number, so felles hjelpenummer (FH) fail there too; here both are valid (flagged `synthetic: nhn` / `kind: fh`). Validity is not acceptance: a production index refuses every synthetic number and H- and FH-numbers (isAcceptableNationalId).'
    )
    notes.push(
      `Load on the machine (1/5/15-minute load average) at the start: ${loadAtStart.map((l) => fmt(l, 1)).join(' / ')}, at the end: ${
        loadavg().map((l) => fmt(l, 1)).join(' / ')
      }, on ${cpus().length} cores. Rates measured while other processes compete for the CPU and the disk fall with that load; the CPU-time rows do not.`
    )
    notes.push(`Phases: registry learners ${fmt(learnerSeconds, 0)} s, pointers ${fmt(pointerSeconds, 0)} s; raw LevelDB learners ${fmt(rawLearnerSeconds, 0)} s, pointers ${fmt(rawPointerSeconds, 0)} s.`)
    if (!quick && learners < GOAL_LEARNERS) {
      // Linear in the count: the pointer rate fell with size in every run, so this is a lower bound.
      const scale = GOAL_LEARNERS / learners
      const minutes = (s: number): string => fmt((s * scale) / 60, 0)
      notes.push(
        `Run at ${fmt(learners)} learners and ${fmt(pointerTotal)} pointers, not the goal's ${fmt(GOAL_LEARNERS)} and ${fmt(GOAL_LEARNERS * pointersPerLearner)}: at this run's rates the goal's registry phases would take ${
          minutes(learnerSeconds)
        } + ${minutes(pointerSeconds)} minutes and the raw baseline ${
          minutes(rawLearnerSeconds + rawPointerSeconds)
        } more (at least: rates fall as the store grows), longer than the 25 minutes a full run may take on this shared machine. \`LEARNERS_BENCH_LEARNERS=5000000\` runs the goal's size.`
      )
    }
    notes.push(
      `Lookups by national ID: ${
        fmt(lookups)
      } random learners; the registry path is identity index → learner head → pointer heads, validation and a synced access row in the Merkle log; the baseline does the same three reads on raw LevelDB with no write. Raw LevelDB values are fixed sample records of the same kinds, so they compress better than the registry's.`
    )
    return { rows, notes }
  }
}

export default bench
