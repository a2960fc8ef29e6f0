/**
 * The National Education Registry (issue 4): catalogue import rate and search latency over a
 * registry of 100,000 offerings (2,000 in quick mode), against a plain LevelDB range scan of the
 * same records in the same run.
 *
 * - Import: an institution node imports its catalogue files (5,000 offerings each, the size of a
 *   large university's catalogue): every row validated, published over the signed catalogue
 *   protocol in a staged upload, committed by the registry with its Merkle log entries in one
 *   batch, then stored and logged on the institution node. Baseline: writing the same encoded
 *   records into LevelDB in one batch each, with no validation, log or network.
 * - Search: a mix of text, filter and facet queries on the registry's index. Baseline: the same
 *   query answered by a range scan over the stored versions (decode, pick the current version,
 *   filter), which is what the registry would do without its index.
 */
import { join } from 'node:path'
import { freePortRange } from '../../test/helpers/ports.ts'
import { planLocalFederation, startLocalFederation } from '../../src/demo/local-federation.ts'
import { benchmarkOfferings, SAMPLE_INSTITUTIONS } from '../../src/demo/education-sample.ts'
import { decodeOfferingVersion, encodeOfferingVersion, offeringContentHash, type OfferingVersion } from '../../src/services/registry/education/model.ts'
import { offeringFromJson } from '../../src/services/registry/education/validate.ts'
import { selectVersion } from '../../src/services/registry/education/history.ts'
import { normaliseText, type SearchQuery } from '../../src/services/registry/education/search.ts'
import { openStorage, type Sublevel } from '../../src/store/leveldb/storage.ts'
import { fmt, mib, timeBlock, timeEach, type Benchmark } from './harness.ts'

const FILE_SIZE = 5_000

/** The queries a catalogue browser sends: text, filters, both, and deep pages. */
function queries (institution: string): SearchQuery[] {
  return [
    { q: 'programmering' },
    { q: 'lineær algebra' },
    { q: 'kryptografi', level: ['7'] },
    { q: 'innføring' },
    { q: 'avansert maskin' },
    { level: ['7'], language: ['en'] },
    { field: ['06'] },
    { field: ['0913'], level: ['6'] },
    { kind: ['study-programme'] },
    { institution: [institution], q: 'seminar' },
    { q: 'hydrodynamikk', offset: 40, limit: 20 },
    { status: ['active'], q: 'design' }
  ]
}

/** The baseline: answer a query by scanning every stored version (no index). */
async function scan (sublevel: Sublevel, q: SearchQuery, today: string): Promise<number> {
  const terms = normaliseText(q.q ?? '').split(/[^a-z0-9]+/).filter((t) => t !== '')
  let current: OfferingVersion[] = []
  let id = ''
  let total = 0
  const flush = (): void => {
    const v = selectVersion(current, { validOn: today })
    current = []
    if (v === undefined) return
    const o = v.offering
    const text = normaliseText(`${Object.values(o.name).join(' ')} ${o.localCode}`)
    if (!terms.every((t) => text.includes(t))) return
    if (q.level !== undefined && !q.level.includes(o.nkrLevel)) return
    if (q.kind !== undefined && !q.kind.includes(o.kind)) return
    if (q.field !== undefined && !q.field.some((f) => o.iscedF.startsWith(f))) return
    if (q.language !== undefined && !o.languages.some((l) => q.language?.includes(l))) return
    if (q.status !== undefined && !q.status.includes(o.status)) return
    if (q.institution !== undefined && !q.institution.includes(o.owner)) return
    total++
  }
  for await (const [, value] of sublevel.iterator({ gt: 'o/', lt: 'o/\xff' })) {
    const v = decodeOfferingVersion(value)
    if (v.offering.id !== id) {
      flush()
      id = v.offering.id
    }
    current.push(v)
  }
  flush()
  return total
}

const bench: Benchmark = {
  name: 'education',
  title: 'National Education Registry: catalogue import and search (issue 4)',
  goal: 'import rate in offerings/s including validation, Merkle log append and publishing to the registry; search latency p50/p99 over 100,000 offerings; both against a plain LevelDB range scan of the same data in the same run.',
  async run ({ quick, tmp, log }) {
    const total = quick ? 2_000 : 100_000
    const [p2p, http] = [await freePortRange(2), await freePortRange(2)]
    const uio = SAMPLE_INSTITUTIONS[0]!
    const plan = planLocalFederation(
      {
        federation: 'no.lifelong.bench',
        basePorts: { p2p, http },
        manifestValidityDays: 1,
        nodes: [
          { slug: 'registry', name: 'registry', organisationNumber: '919477822', roles: ['registry'] },
          { slug: 'uio', name: uio.name.nb, organisationNumber: uio.organisationNumber, roles: ['institution'] }
        ]
      },
      join(tmp, 'fed'),
      { logLevel: 'silent', configOverrides: () => ({ rpc: { deadlineMs: 120_000 } }) }
    )
    const fed = await startLocalFederation(plan)
    try {
      const registryNode = fed.node('registry')
      const registry = registryNode.education!.registry!
      const catalogue = fed.node('uio').education!.catalogue!
      const owner = (await registry.putInstitution({
        id: '',
        organisationNumber: uio.organisationNumber,
        name: uio.name,
        shortName: uio.shortName,
        category: uio.category,
        selfAccreditation: uio.selfAccreditation,
        dbhCode: uio.dbhCode ?? '',
        fsNumber: uio.fsNumber ?? '',
        admissionCodes: [],
        validFrom: uio.validFrom,
        validTo: ''
      })).institution.id
      // Until the institution node reaches the registry (the connection may still be opening).
      for (let i = 0;; i++) {
        try {
          await catalogue.syncOwned()
          break
        } catch (err) {
          if (i === 100) throw err
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      }

      // Import, one catalogue file after another.
      const offerings = benchmarkOfferings(total)
      const files: string[] = []
      for (let i = 0; i < total; i += FILE_SIZE) files.push(JSON.stringify(offerings.slice(i, i + FILE_SIZE)))
      const imported = await timeBlock(total, async () => {
        for (const [i, text] of files.entries()) {
          const r = await catalogue.importFile(text, 'json')
          if (r.created !== Math.min(FILE_SIZE, total - i * FILE_SIZE)) throw new Error(`file ${i}: ${JSON.stringify(r).slice(0, 200)}`)
          if ((i + 1) % 5 === 0 || i === files.length - 1) log(`imported ${fmt((i + 1) * FILE_SIZE)} offerings`)
        }
      })
      const again = await timeBlock(Math.min(total, FILE_SIZE), async () => {
        const r = await catalogue.importFile(files[0]!, 'json')
        if (r.unchanged !== Math.min(total, FILE_SIZE)) throw new Error('re-run changed something')
      })

      // Baseline for the import: the same records written to a plain LevelDB, one batch per file.
      const plain = await openStorage(join(tmp, 'plain'))
      const plainDb = plain.sublevel('education')
      const records: Array<[string, Uint8Array]> = offerings.map((o, i) => {
        const { offering, validFrom } = offeringFromJson({ ...o, relations: [] })
        const id = `O${String(i + 1).padStart(9, '0')}`
        const v: OfferingVersion = { offering: { ...offering, id, owner }, seq: 1, validFrom, recordedAt: Date.now(), publishedBy: uio.organisationNumber, contentHash: offeringContentHash(offering, '') }
        return [`o/${id}/00000001`, encodeOfferingVersion(v)]
      })
      const plainWrite = await timeBlock(total, async () => {
        for (let i = 0; i < records.length; i += FILE_SIZE) {
          await plainDb.batch(records.slice(i, i + FILE_SIZE).map(([key, value]) => ({ type: 'put' as const, key, value })))
        }
      })

      // Search on the registry's index, against scanning the registry's own stored versions.
      const today = registry.today()
      const qs = queries(owner)
      const rounds = quick ? 10 : 25
      const searched = await timeEach(qs.length * rounds, (i) => registry.search(qs[i % qs.length]!), qs.length)
      const viaHttp = await timeEach(qs.length * 4, async (i) => {
        const q = qs[i % qs.length]!
        const params = new URLSearchParams()
        for (const [k, v] of Object.entries(q)) params.set(k, Array.isArray(v) ? v.join(',') : String(v))
        const res = await registryNode.http.inject({ url: `/education/offerings?${params.toString()}` })
        if (res.statusCode !== 200) throw new Error(res.body)
      }, 4)
      const store = registryNode.storage.sublevel('education')
      // One scan per query shape, timed; the index must return the same total as the scan.
      const expected: number[] = []
      const scanned = await timeEach(qs.length, async (i) => {
        expected[i] = await scan(store, qs[i]!, today)
      }, 1)
      for (const [i, q] of qs.entries()) {
        const got = registry.search({ ...q, offset: 0, limit: 1 }).total
        if (got !== expected[i]) throw new Error(`search and scan disagree on ${JSON.stringify(q)}: ${got} vs ${expected[i]}`)
      }
      await plain.close()
      const heap = process.memoryUsage().heapUsed
      log(`registry log size ${fmt(registryNode.log.store.size)}, heap ${mib(heap)}`)
      return {
        rows: [
          {
            name: `catalogue import, ${fmt(total)} offerings in files of ${fmt(Math.min(total, FILE_SIZE))}`,
            value: imported.perSecond,
            unit: 'offerings/s',
            baseline: { name: 'plain LevelDB batch write', value: plainWrite.perSecond },
            note: `validation, staged publish over the catalogue protocol, registry + institution log append; ${fmt(imported.seconds, 1)} s`
          },
          { name: 'catalogue re-import (all unchanged)', value: again.perSecond, unit: 'offerings/s', baseline: { name: 'plain LevelDB batch write', value: plainWrite.perSecond } },
          { name: `search p50 over ${fmt(total)} offerings`, value: searched.p50, unit: 'ms', baseline: { name: 'LevelDB range scan p50', value: scanned.p50 }, note: `${qs.length} query shapes × ${rounds}` },
          { name: `search p99 over ${fmt(total)} offerings`, value: searched.p99, unit: 'ms', baseline: { name: 'LevelDB range scan p99', value: scanned.p99 } },
          { name: 'search p50 through HTTP (inject, JSON Schema, facets)', value: viaHttp.p50, unit: 'ms', baseline: { name: 'LevelDB range scan p50', value: scanned.p50 }, note: `p99 ${fmt(viaHttp.p99, 1)} ms` }
        ],
        notes: [
          `Two nodes (registry, institution) in one process on loopback, the registry's RPC deadline raised to 120 s for the bench. The search index and the scan returned the same totals for every query shape. Heap after the run: ${
            mib(heap)
          }.`
        ]
      }
    } finally {
      await fed.stop()
    }
  }
}

export default bench
