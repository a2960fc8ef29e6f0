/**
 * An institution node's own catalogue: its offerings' versions as the registry accepted them,
 * stored and appended to the node's own Merkle log, and the import that feeds it.
 *
 * Import (`lifelong import catalogue <file>`): parse → validate every row (all problems reported
 * with row, field and reason; nothing stored if there is one) → publish to the registry in parts
 * of one staged upload that the registry commits atomically → store the accepted versions
 * locally in one batch. A re-run of the same file changes nothing: the registry finds each row's
 * national ID by the local code and answers "unchanged".
 */
import { isLifelongError, type FieldError } from '../../errors.ts'
import type { lifelong } from '../../gen/proto.js'
import type { Federation } from '../../federation/federation.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import { osloDate } from './codes.ts'
import { EducationCodes as C, educationError, fieldsError } from './errors.ts'
import { selectVersion } from './history.ts'
import { checkNationalId } from './ids.ts'
import { keys } from './keys.ts'
import { type ImportRow, parseImportFile } from './import-file.ts'
import { offeringContentHash, offeringToProto, offeringVersionFromProto, type Offering, type OfferingVersion } from './model.ts'
import { ListOwnedOfferings, PublishOfferings } from './protocol.ts'
import { containedTargets, findContainmentCycle } from './relations.ts'
import { newUploadId } from './registry-node.ts'
import type { EducationStore } from './store.ts'
import { offeringFromJson, validateOffering } from './validate.ts'

export interface CatalogueComponents {
  store: EducationStore
  client: RpcClient
  federation: Federation
  now?: () => number
}

export interface CatalogueInit {
  /** Changes per part of an upload (each part is one signed request under the size cap). */
  partSize?: number
}

export interface ImportProblem {
  row: number
  field: string
  reason: string
}

export interface ImportProgress {
  phase: 'validating' | 'publishing' | 'storing' | 'done' | 'failed'
  done: number
  total: number
}

export interface ImportReport {
  rows: number
  created: number
  updated: number
  unchanged: number
  /** National ID per local code. */
  ids: Record<string, string>
  registryLogSize: number
  localLogSize: number
}

/** The owner's key for an offering: kind, local code and version code. */
const localKey = (o: Pick<Offering, 'kind' | 'localCode' | 'localVersion'>): string => keys.crosswalk('self', o.kind, o.localCode, o.localVersion)

export class InstitutionCatalogue {
  readonly store: EducationStore
  private readonly client: RpcClient
  private readonly federation: Federation
  private readonly now: () => number
  private readonly partSize: number

  constructor (components: CatalogueComponents, init: CatalogueInit = {}) {
    this.store = components.store
    this.client = components.client
    this.federation = components.federation
    this.now = components.now ?? Date.now
    this.partSize = init.partSize ?? 400
  }

  today (): string {
    return osloDate(this.now())
  }

  /** The registry node to publish to: the first active member with the registry role. */
  registryPeer (): string {
    const r = this.federation.membersWithRole('registry')[0]
    if (r === undefined) throw educationError('unavailable', C.registryUnavailable, 'no registry node in the federation manifest')
    return r.peerId
  }

  /** The offerings of this catalogue, their versions in force today. */
  list (offset = 0, limit = 100): { total: number, items: OfferingVersion[] } {
    const ids = [...this.store.offerings.keys()].sort()
    return {
      total: ids.length,
      items: ids.slice(offset, offset + limit).map((id) => {
        const versions = this.store.offerings.get(id) ?? []
        return selectVersion(versions, { validOn: this.today() }) ?? selectVersion(versions) as OfferingVersion
      })
    }
  }

  get (id: string): OfferingVersion[] {
    const versions = this.store.offerings.get(id)
    if (versions === undefined) throw educationError('not-found', C.unknownOffering, `no offering ${id} in this catalogue`)
    return versions
  }

  /** Validates the rows of an import file, resolving relations between rows, without storing anything. */
  validateRows (rows: ImportRow[]): { changes: Array<{ clientRef: string, offering: Offering, validFrom: string, row: number }>, problems: ImportProblem[] } {
    const problems: ImportProblem[] = []
    const fieldOf = (path: string): string => path.replace(/^\//, '')
    const parsed = rows.map((r) => {
      const { offering, validFrom, fields } = offeringFromJson(r.raw)
      for (const f of fields) problems.push({ row: r.row, field: fieldOf(f.path), reason: f.message })
      return { row: r.row, offering, validFrom: validFrom === '' ? this.today() : validFrom }
    })
    // Local codes in this file, to resolve relations; a code used twice with different versions is ambiguous.
    const byCode = new Map<string, number[]>()
    const byKey = new Map<string, number>()
    parsed.forEach((p, i) => {
      const code = p.offering.localCode.toUpperCase()
      byCode.set(code, [...(byCode.get(code) ?? []), i])
      const k = localKey(p.offering)
      if (byKey.has(k)) problems.push({ row: p.row, field: 'localCode', reason: `${p.offering.kind} ${p.offering.localCode} v${p.offering.localVersion} is also on row ${parsed[byKey.get(k) as number]?.row}` })
      else byKey.set(k, i)
    })
    let localCodes: Map<string, string> | undefined
    const knownLocally = (code: string): string | undefined => {
      if (localCodes === undefined) {
        localCodes = new Map()
        for (const [, versions] of this.store.offerings) {
          const o = (selectVersion(versions) as OfferingVersion).offering
          localCodes.set(o.localCode.toUpperCase(), o.id)
        }
      }
      return localCodes.get(code)
    }
    const refOf = (i: number): string => {
      const o = (parsed[i] as { offering: Offering }).offering
      return `${o.kind}/${o.localCode.toUpperCase()}/${o.localVersion.toUpperCase()}`
    }
    const changes = parsed.map((p, i) => {
      const relations = p.offering.relations.map((r, n) => {
        if (r.target === '' || checkNationalId(r.target, 'offering') === undefined) return r
        const inFile = byCode.get(r.target.toUpperCase())
        if (inFile !== undefined && inFile.length === 1) return { ...r, target: `ref:${refOf(inFile[0] as number)}` }
        if (inFile !== undefined) {
          problems.push({ row: p.row, field: `relations/${n}/target`, reason: `${r.target} is on several rows (versions); name the national ID` })
          return r
        }
        const id = knownLocally(r.target.toUpperCase())
        if (id !== undefined) return { ...r, target: id }
        problems.push({ row: p.row, field: `relations/${n}/target`, reason: `no offering ${r.target} in the file or the catalogue` })
        return r
      })
      const known = this.store.crosswalk.get(localKey(p.offering))
      const offering: Offering = { ...p.offering, id: p.offering.id !== '' ? p.offering.id : known ?? '', relations }
      return { clientRef: refOf(i), offering, validFrom: p.validFrom, row: p.row }
    })
    changes.forEach((c) => {
      const already = new Set(problems.filter((x) => x.row === c.row).map((x) => x.field))
      for (const f of validateOffering(c.offering, { allowRefs: true })) {
        // A value that could not be read is reported once, not again by the rule it then breaks.
        if (already.has(fieldOf(f.path))) continue
        problems.push({ row: c.row, field: fieldOf(f.path), reason: f.message })
      }
    })
    // Containment cycles inside the file (the registry checks against its whole catalogue too).
    const index = new Map(changes.map((c, i) => [`ref:${c.clientRef}`, i]))
    const cycle = findContainmentCycle(changes.map((c) => `ref:${c.clientRef}`), (ref) => {
      const i = index.get(ref)
      return i === undefined ? [] : containedTargets((changes[i] as { offering: Offering }).offering.relations).filter((t) => index.has(t))
    })
    if (cycle !== undefined) {
      const rowsOnCycle = cycle.map((ref) => changes[index.get(ref) as number]?.row)
      problems.push({ row: rowsOnCycle[0] as number, field: 'relations', reason: `containment cycle through rows ${rowsOnCycle.join(' → ')}` })
    }
    problems.sort((a, b) => a.row - b.row)
    return { changes, problems }
  }

  /**
   * Imports a catalogue file: validates every row, publishes all to the registry as one staged
   * upload, and stores what the registry accepted. All or nothing; re-runs are idempotent.
   */
  async importFile (text: string, format: 'csv' | 'json', onProgress: (p: ImportProgress) => void = () => {}): Promise<ImportReport> {
    const parsed = parseImportFile(text, format)
    onProgress({ phase: 'validating', done: 0, total: parsed.rows.length })
    const { changes, problems } = this.validateRows(parsed.rows)
    problems.unshift(...parsed.problems)
    if (problems.length > 0) {
      const fields: FieldError[] = problems.map((p) => ({ path: `/rows/${p.row}${p.field === '' ? '' : `/${p.field}`}`, message: p.reason }))
      throw fieldsError(C.importInvalid, `${problems.length} problem(s) in the file; nothing was imported`, fields)
    }
    if (changes.length === 0) throw educationError('invalid', C.importInvalid, 'the file has no rows')
    return await this.publishChanges(changes, onProgress)
  }

  private async publishChanges (changes: Array<{ clientRef: string, offering: Offering, validFrom: string }>, onProgress: (p: ImportProgress) => void): Promise<ImportReport> {
    try {
      return await this.publishOnce(changes, onProgress)
    } catch (err) {
      // A lost connection or answer: send the whole upload again. The registry commits an upload
      // at most once and answers a repeated one with "unchanged", so a retry cannot duplicate.
      // A deadline passed at the registry while it committed: the retry queues behind that commit and is answered "unchanged".
      const retriable = ['RPC_UNREACHABLE', 'RPC_TIMEOUT', 'RPC_DEADLINE_EXCEEDED', C.uploadExpired]
      if (!retriable.some((code) => isLifelongError(err, code))) throw err
      await new Promise((resolve) => setTimeout(resolve, 1000))
      return await this.publishOnce(changes, onProgress)
    }
  }

  private async publishOnce (changes: Array<{ clientRef: string, offering: Offering, validFrom: string }>, onProgress: (p: ImportProgress) => void): Promise<ImportReport> {
    const registry = this.registryPeer()
    const uploadId = newUploadId()
    const parts = Math.max(1, Math.ceil(changes.length / this.partSize))
    let response: lifelong.education.PublishOfferingsResponse.$Properties = {}
    for (let part = 1; part <= parts; part++) {
      const slice = changes.slice((part - 1) * this.partSize, part * this.partSize)
      response = await this.client.call(registry, PublishOfferings, {
        uploadId,
        part,
        parts,
        changes: slice.map((c) => ({ clientRef: c.clientRef, offering: offeringToProto(c.offering), validFrom: c.validFrom }))
      }, { deadlineMs: part === parts ? 120_000 : undefined })
      onProgress({ phase: 'publishing', done: Math.min(changes.length, part * this.partSize), total: changes.length })
    }
    if (response.committed !== true) throw educationError('unavailable', C.registryUnavailable, 'the registry did not commit the upload')
    onProgress({ phase: 'storing', done: changes.length, total: changes.length })
    // Store locally what the registry now holds (new versions, and any we lack after a lost local write).
    const byRef = new Map(changes.map((c) => [c.clientRef, c]))
    const recordedAt = this.now()
    const report: ImportReport = { rows: changes.length, created: 0, updated: 0, unchanged: 0, ids: {}, registryLogSize: Number(response.treeSize ?? 0), localLogSize: 0 }
    const idOfRef = new Map<string, string>()
    for (const r of response.results ?? []) idOfRef.set(r.clientRef ?? '', r.id ?? '')
    const result = await this.store.transaction(() => {
      const versions: OfferingVersion[] = []
      const crosswalk: Array<[string, string]> = []
      for (const r of response.results ?? []) {
        const c = byRef.get(r.clientRef ?? '')
        const id = r.id ?? ''
        const seq = r.seq ?? 0
        if (c === undefined) continue
        report[r.outcome as 'created' | 'updated' | 'unchanged']++
        report.ids[c.offering.localCode] = r.id ?? ''
        const relations = c.offering.relations.map((x) => x.target.startsWith('ref:') ? { ...x, target: idOfRef.get(x.target.slice(4)) ?? x.target } : x)
        const offering: Offering = { ...c.offering, id, relations }
        const k = localKey(offering)
        if (this.store.crosswalk.get(k) !== id) crosswalk.push([k, id])
        const mine = this.store.offerings.get(id) ?? []
        if (mine.some((v) => v.seq === seq)) continue
        const version: OfferingVersion = { offering: { ...offering, owner: r.owner ?? '' }, seq, validFrom: c.validFrom, recordedAt, publishedBy: '', contentHash: offeringContentHash(offering, '') }
        versions.push(version)
      }
      return { commit: { offeringVersions: versions, crosswalk }, result: {} }
    })
    report.localLogSize = result.logSize
    onProgress({ phase: 'done', done: changes.length, total: changes.length })
    return report
  }

  /**
   * Fetches the offerings this institution owns in the registry (after a merger: its
   * predecessors' too, under their unchanged IDs) into the local catalogue.
   */
  async syncOwned (): Promise<{ fetched: number, stored: number }> {
    const registry = this.registryPeer()
    let after = ''
    let fetched = 0
    const versions: OfferingVersion[] = []
    for (;;) {
      const page = await this.client.call(registry, ListOwnedOfferings, { after, limit: 1000 })
      for (const pv of page.versions ?? []) {
        fetched++
        const v = offeringVersionFromProto(pv)
        if (this.store.offerings.get(v.offering.id)?.some((x) => x.seq === v.seq) === true) continue
        versions.push({ ...v, recordedAt: this.now() })
      }
      if (page.next === '' || page.next == null) break
      after = page.next
    }
    if (versions.length > 0) {
      await this.store.transaction(() => ({
        commit: { offeringVersions: versions, crosswalk: versions.map((v) => [localKey(v.offering), v.offering.id] as [string, string]) },
        result: {}
      }))
    }
    return { fetched, stored: versions.length }
  }
}
