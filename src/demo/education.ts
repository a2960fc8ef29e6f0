/**
 * Loads the generated sample catalogue into a running local federation, through the same paths
 * production uses: the registry operator records the institutions, the 2016 merger and the
 * colleges' historical offerings (a migration, in-process on the registry node); UiO, NTNU, UiB,
 * OsloMet and Vestland fylkeskommune import their catalogues on their own nodes, which publish
 * to the registry over the catalogue protocol; NTNU takes over the colleges' offerings (same
 * IDs) and publishes changes to some of them; NOKUT's node sends its decisions, one of them a
 * revocation. Idempotent: a second run finds everything in place and changes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lifelong } from '../core/gen/proto.js'
import { isLifelongError, LifelongError } from '../core/errors.ts'
import type { RunningFederation } from './local-federation.ts'
import { toCsv } from '../services/registry/education/import-file.ts'
import { keys } from '../services/registry/education/keys.ts'
import type { Institution, InstitutionEvent } from '../services/registry/education/model.ts'
import { RecordAccreditation } from '../services/registry/education/protocol.ts'
import type { OfferingChangeInput } from '../services/registry/education/registry.ts'
import { offeringFromJson } from '../services/registry/education/validate.ts'
import { SAMPLE_DECISIONS, SAMPLE_INSTITUTIONS, SAMPLE_MERGER, SAMPLE_RESULT_OFFERINGS, sampleCatalogue, type SampleInstitution, type SampleOffering } from './education-sample.ts'

export interface SampleLoadSummary {
  institutions: number
  offerings: number
  programmes: number
  courses: number
  decisions: number
  files: string[]
  examples: Record<string, string>
  /**
   * The national IDs the registry minted for the offerings the sample results refer to
   * ({@link SAMPLE_RESULT_OFFERINGS}), by "owner slug/local code" (the owner when first
   * published: HiST for its course).
   */
  resultOfferings: Record<string, string>
}

/** One sample offering as a row of the CSV import format. */
export function sampleToCsvRow (o: SampleOffering): Record<string, string | number | undefined> {
  return {
    id: o.id,
    kind: o.kind,
    localCode: o.localCode,
    localVersion: o.localVersion,
    nameNb: o.name.nb,
    nameEn: o.name.en,
    credits: o.credits,
    nkrLevel: o.nkrLevel,
    nusCode: o.nusCode,
    iscedF: o.iscedF,
    languages: o.languages.join(';'),
    gradingScale: o.gradingScale,
    learningOutcomesNb: o.learningOutcomes.nb,
    learningOutcomesEn: o.learningOutcomes.en,
    terms: o.terms.join(';'),
    status: o.status,
    relations: o.relations.map((r) => `${r.type}:${r.target}${r.validFrom === undefined ? '' : `:${r.validFrom}`}`).join(';'),
    admissionCode: o.links?.admissionCode,
    admissionRequirement: o.links?.admissionRequirement,
    validFrom: o.validFrom
  }
}

function institutionOf (s: SampleInstitution): Institution {
  return {
    id: '',
    organisationNumber: s.organisationNumber,
    name: s.name,
    shortName: s.shortName,
    category: s.category,
    selfAccreditation: s.selfAccreditation,
    dbhCode: s.dbhCode ?? '',
    fsNumber: s.fsNumber ?? '',
    admissionCodes: s.fsNumber === undefined ? [] : [s.fsNumber],
    validFrom: s.validFrom,
    validTo: ''
  }
}

/** Sample offerings as changes the operator publishes for `owner` (relations by local code → ref:). */
function operatorChanges (rows: SampleOffering[], owner: string): OfferingChangeInput[] {
  return rows.map((row) => {
    const { offering, validFrom } = offeringFromJson({ ...row, owner, relations: row.relations.map((r) => ({ ...r, target: `ref:${r.target}` })) })
    return { clientRef: row.localCode, offering, validFrom }
  })
}

/**
 * Waits until the running nodes are connected to each other (or the time is up): loading is
 * CPU work in the one process that runs every node, and connection handshakes still under way
 * would time out behind it.
 */
async function waitForMesh (fed: RunningFederation, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const ids = [...fed.nodes.values()].map((n) => n.peerId)
  for (;;) {
    const missing = [...fed.nodes.values()].filter((n) => {
      const peers = new Set(n.host.getConnections().map((c) => c.remotePeer.toString()))
      return ids.some((id) => id !== n.peerId && !peers.has(id))
    })
    if (missing.length === 0 || Date.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** One more try after a lost connection: the registry's operations are idempotent. */
async function retrying<T> (fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (!isLifelongError(err, 'RPC_UNREACHABLE') && !isLifelongError(err, 'RPC_TIMEOUT')) throw err
    await new Promise((resolve) => setTimeout(resolve, 500))
    return await fn()
  }
}

export async function loadSampleCatalogue (fed: RunningFederation, dir: string, log: (line: string) => void = () => {}): Promise<SampleLoadSummary> {
  const registryNode = fed.node('registry')
  const t0 = Date.now()
  await waitForMesh(fed)
  log(`federation connected in ${Date.now() - t0} ms`)
  const registry = registryNode.education?.registry
  if (registry === undefined) throw new LifelongError('internal', 'DEMO_NO_REGISTRY', 'the registry node has no education registry')
  const operator = { organisationNumber: registryNode.config.organisationNumber, roles: registryNode.config.roles, operator: true }

  // 1. Institutions and the 2016 merger (the operator's data).
  const ids: Record<string, string> = {}
  for (const s of SAMPLE_INSTITUTIONS) {
    const existing = registry.listInstitutions().find((i) => i.organisationNumber === s.organisationNumber)
    ids[s.slug] = existing?.id ?? (await registry.putInstitution(institutionOf(s), { validFrom: s.validFrom, reason: 'created' })).institution.id
  }
  const id = (slug: string): string => ids[slug] as string
  if (!registry.store.events.some((e) => e.type === 'merger' && e.effectiveDate === SAMPLE_MERGER.effectiveDate)) {
    const event: InstitutionEvent = {
      id: '',
      type: 'merger',
      effectiveDate: SAMPLE_MERGER.effectiveDate,
      predecessors: SAMPLE_MERGER.predecessors.map(id),
      successors: [id(SAMPLE_MERGER.successor)],
      offerings: [],
      reference: SAMPLE_MERGER.reference,
      note: 'HiST, HiG and HiÅ merged into NTNU',
      recordedAt: 0
    }
    await registry.recordEvent(event)
  }
  log(`institutions: ${Object.keys(ids).length}, merger ${SAMPLE_MERGER.effectiveDate}`)

  // 2. The colleges' historical catalogues and the private college's (migrated by the operator).
  for (const s of SAMPLE_INSTITUTIONS.filter((x) => x.imports === undefined)) {
    const r = await registry.publish(operatorChanges(sampleCatalogue(s), id(s.slug)), operator)
    log(`${s.shortName}: ${r.results.length} historical offerings (${r.results.filter((x) => x.outcome === 'created').length} new)`)
  }

  // 3. The other institutions import their own catalogues on their own nodes (CSV or JSON).
  const files: string[] = []
  const fileDir = join(dir, 'catalogue')
  mkdirSync(fileDir, { recursive: true })
  for (const s of SAMPLE_INSTITUTIONS) {
    const slug = s.slug
    const format = s.imports
    const node = fed.nodes.get(slug)
    if (format === undefined || node?.education?.catalogue === undefined) continue
    const rows = sampleCatalogue(s)
    const text = format === 'csv' ? toCsv(rows.map(sampleToCsvRow)) : JSON.stringify({ offerings: rows }, null, 1)
    const file = join(fileDir, `${slug}.${format}`)
    writeFileSync(file, text)
    files.push(file)
    const catalogue = node.education.catalogue
    const report = await retrying(async () => await catalogue.importFile(text, format))
    log(`${s.shortName}: imported ${report.rows} (${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged)`)
  }

  // 4. NTNU's node takes over the colleges' offerings and publishes changes to some of them.
  const ntnu = fed.nodes.get('ntnu')?.education?.catalogue
  const examples: Record<string, string> = {}
  if (ntnu !== undefined) {
    const synced = await retrying(async () => await ntnu.syncOwned())
    log(`NTNU: ${synced.fetched} offerings owned in the registry (incl. HiST, HiG, HiÅ), ${synced.stored} new locally`)
    const hig = SAMPLE_INSTITUTIONS.find((x) => x.slug === 'hig') as SampleInstitution
    const hist = SAMPLE_INSTITUTIONS.find((x) => x.slug === 'hist') as SampleInstitution
    const higProgramme = sampleCatalogue(hig).find((o) => o.kind === 'study-programme') as SampleOffering
    const histCourses = sampleCatalogue(hist).filter((o) => o.kind === 'course').slice(0, 25)
    const idOf = (owner: string, o: SampleOffering): string => registry.store.crosswalk.get(keys.crosswalk(owner, o.kind, o.localCode, o.localVersion)) as string
    const higId = idOf(id('hig'), higProgramme)
    const current = registry.getOffering(higId).version.offering
    const changes: SampleOffering[] = [
      { ...higProgramme, id: higId, name: { nb: `${higProgramme.name.nb} (NTNU Gjøvik)`, en: `${higProgramme.name.en} (NTNU Gjøvik)` }, relations: current.relations, validFrom: '2017-08-01' },
      ...histCourses.map((c) => ({ ...c, id: idOf(id('hist'), c), status: 'discontinued', validFrom: '2017-08-01' }))
    ]
    const report = await retrying(async () => await ntnu.importFile(JSON.stringify(changes), 'json'))
    log(`NTNU: changed ${report.updated} of the colleges' offerings (IDs unchanged), ${report.unchanged} already changed`)
    examples.mergedProgramme = higId
    examples.discontinuedCourse = idOf(id('hist'), histCourses[0] as SampleOffering)
  }

  // 5. NOKUT's decisions about the private college's programmes, over the catalogue protocol.
  const nokut = fed.nodes.get('nokut')
  let decisions = 0
  if (nokut !== undefined) {
    const nvf = SAMPLE_INSTITUTIONS.find((x) => x.slug === 'nvf') as SampleInstitution
    const programmes = sampleCatalogue(nvf).filter((o) => o.kind === 'study-programme')
    for (const d of SAMPLE_DECISIONS) {
      const p = programmes[d.programme] as SampleOffering
      const subject = registry.store.crosswalk.get(keys.crosswalk(id('nvf'), p.kind, p.localCode, p.localVersion)) as string
      await retrying(async () =>
        await nokut.client.call(registryNode.peerId, RecordAccreditation, {
          decision: lifelong.education.AccreditationDecision.create({ subjectType: 'offering', subject, type: d.type, status: d.status, decisionDate: d.decisionDate, validFrom: d.validFrom, validTo: d.validTo, reference: d.reference })
        })
      )
      decisions++
      if (d.status === 'revoked') examples.revokedProgramme = subject
    }
    log(`NOKUT: ${decisions} decisions (one revocation)`)
  }
  examples.ntnu = id('ntnu')
  examples.hig = id('hig')
  const resultOfferings: Record<string, string> = {}
  for (const [slug, offerings] of Object.entries(SAMPLE_RESULT_OFFERINGS)) {
    for (const o of offerings) {
      const minted = registry.store.crosswalk.get(keys.crosswalk(id(slug), o.kind, o.localCode, o.localVersion))
      if (minted !== undefined) resultOfferings[`${slug}/${o.localCode}`] = minted
    }
  }

  let programmes = 0
  let courses = 0
  for (const [, versions] of registry.store.offerings) {
    const kind = versions[0]?.offering.kind
    if (kind === 'study-programme') programmes++
    else if (kind === 'course') courses++
  }
  return { institutions: Object.keys(ids).length, offerings: registry.store.offerings.size, programmes, courses, decisions, files, examples, resultOfferings }
}
