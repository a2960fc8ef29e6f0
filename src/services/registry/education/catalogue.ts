/**
 * An institution node's own catalogue: its offerings' versions as the registry accepted them,
 * stored and appended to the node's own Merkle log, and the import that feeds it.
 *
 * Import (`lifelong import catalogue <file>`): parse → validate every row (all problems reported
 * with row, field and reason; nothing stored if there is one) → keep the validated upload
 * durably as pending → publish to the registry in parts of one staged upload that the registry
 * commits atomically → store the accepted versions locally in one batch, which also clears the
 * pending upload. A re-run of the same file changes nothing: the registry finds each row's
 * national ID by the local code and answers "unchanged".
 *
 * No state split across a crash: the registry's commit and the local one are two steps on two
 * nodes, so between them the node keeps the upload. If the node stops (or crashes, or loses the
 * registry's answer) after it began publishing, the pending upload is published again when the
 * registry answers (retried with back-off while the node runs, and at its next start): the
 * registry answers "unchanged" for what it already committed, and the local commit stores what
 * the node lacks. An upload the registry refuses outright (it commits none of it) is dropped.
 */
import { Mutex } from '../../../core/sync/mutex.ts'
import { isLifelongError, LifelongError, toLifelongError, type ErrorCode, type FieldError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { lifelong } from '../../../core/gen/proto.js'
import type { Federation } from '../../../net/federation/federation.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import { osloDate } from './codes.ts'
import { EducationCodes as C, educationError, fieldsError, NO_REGISTRY_MESSAGE } from './errors.ts'
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
  logger?: Logger
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

/** An upload being published: kept until the registry's answer is stored locally. */
export const PENDING_UPLOAD_KEY = keys.meta('pending-upload')

interface Change {
  clientRef: string
  offering: Offering
  validFrom: string
}

interface PendingUpload {
  startedAt: number
  changes: Change[]
}

/** The registry did not answer, or not yet: it may have committed the upload. Anything else is a refusal of the whole upload. */
const uncertain = (err: unknown): boolean => ['unavailable', 'timeout', 'rate-limited'].includes(toLifelongError(err).kind)

/** Back-off of the retries of a pending upload while the node runs. */
const RESUME_FIRST_MS = 5_000
const RESUME_MAX_MS = 5 * 60_000

export class InstitutionCatalogue {
  readonly store: EducationStore
  private readonly client: RpcClient
  private readonly federation: Federation
  private readonly now: () => number
  private readonly partSize: number
  private readonly logger: Logger | undefined
  /** Imports and the finishing of a pending upload run one at a time. */
  private readonly exclusive = new Mutex()
  private resumeTimer: NodeJS.Timeout | undefined
  private resumeDelayMs = RESUME_FIRST_MS
  private stopped = false

  constructor (components: CatalogueComponents, init: CatalogueInit = {}) {
    this.store = components.store
    this.client = components.client
    this.federation = components.federation
    this.logger = components.logger
    this.now = components.now ?? Date.now
    this.partSize = init.partSize ?? 400
  }

  private async alone<T> (work: () => Promise<T>): Promise<T> {
    return await this.exclusive.run(work)
  }

  /** The upload this node began publishing and has not stored the registry's answer of, if any. */
  async pendingUpload (): Promise<{ startedAt: number, offerings: number } | undefined> {
    const p = await this.readPending()
    return p === undefined ? undefined : { startedAt: p.startedAt, offerings: p.changes.length }
  }

  private async readPending (): Promise<PendingUpload | undefined> {
    const bytes = await this.store.read(PENDING_UPLOAD_KEY)
    return bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes)) as PendingUpload
  }

  /**
   * Finishes a pending upload left by a stop or crash (called when the node starts): publishes
   * it again and stores the answer. If the registry does not answer, retries with back-off.
   */
  async resume (): Promise<void> {
    this.stopped = false
    clearTimeout(this.resumeTimer)
    this.resumeTimer = undefined
    await this.alone(async () => {
      const pending = await this.readPending()
      if (pending === undefined || this.stopped) return
      this.logger?.warn({ offerings: pending.changes.length, startedAt: new Date(pending.startedAt).toISOString() }, 'catalogue: finishing an import that was interrupted before the registry\'s answer was stored')
      try {
        const report = await this.finishPending(pending)
        this.logger?.info({ created: report.created, updated: report.updated, unchanged: report.unchanged }, 'catalogue: the interrupted import is finished; the catalogue and the registry agree')
      } catch (err) {
        if (!uncertain(err)) return
        this.logger?.warn({ code: toLifelongError(err).code, retryInMs: this.resumeDelayMs }, 'catalogue: the registry did not answer; the interrupted import will be finished later')
        this.scheduleResume()
      }
    })
  }

  /** Stops retrying a pending upload (it stays stored for the next start). */
  stop (): void {
    this.stopped = true
    clearTimeout(this.resumeTimer)
    this.resumeTimer = undefined
  }

  private scheduleResume (): void {
    if (this.stopped || this.resumeTimer !== undefined) return
    const delay = this.resumeDelayMs
    this.resumeDelayMs = Math.min(RESUME_MAX_MS, this.resumeDelayMs * 2)
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined
      void this.resume()
    }, delay)
    this.resumeTimer.unref()
  }

  /**
   * Publishes a pending upload and stores the answer (which clears it). A refusal of the whole
   * upload drops it (the registry committed none of it) and throws; an uncertain failure keeps it.
   */
  private async finishPending (pending: PendingUpload, onProgress: (p: ImportProgress) => void = () => {}): Promise<ImportReport> {
    try {
      const report = await this.publishChanges(pending.changes, onProgress)
      this.resumeDelayMs = RESUME_FIRST_MS
      return report
    } catch (err) {
      if (uncertain(err)) throw err
      await this.store.writeMeta(PENDING_UPLOAD_KEY, undefined)
      this.logger?.warn({ code: toLifelongError(err).code }, 'catalogue: the registry refused a pending upload; it was dropped (the registry committed none of it)')
      throw err
    }
  }

  today (): string {
    return osloDate(this.now())
  }

  /** The registry node to publish to: the first active member with the registry role. */
  registryPeer (): string {
    const r = this.federation.membersWithRole('registry')[0]
    if (r === undefined) throw educationError('unavailable', C.registryUnavailable, NO_REGISTRY_MESSAGE)
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

  /**
   * The national ID of this catalogue's offering with a local code (case folded; the latest
   * version's code), for results that name their course by the student system's code.
   */
  idByLocalCode (code: string): string | undefined {
    const wanted = code.trim().toUpperCase()
    for (const [id, versions] of this.store.offerings) {
      if ((selectVersion(versions) as OfferingVersion).offering.localCode.toUpperCase() === wanted) return id
    }
    return undefined
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
    return await this.alone(async () => {
      // An earlier upload left pending goes first: the registry then answers this one on top of it.
      const earlier = await this.readPending()
      if (earlier !== undefined) {
        try {
          await this.finishPending(earlier)
        } catch (err) {
          if (uncertain(err)) throw pendingError(err, 'an earlier import that was interrupted could not be finished first')
        }
      }
      const pending: PendingUpload = { startedAt: this.now(), changes: changes.map((c) => ({ clientRef: c.clientRef, offering: c.offering, validFrom: c.validFrom })) }
      await this.store.writeMeta(PENDING_UPLOAD_KEY, new TextEncoder().encode(JSON.stringify(pending)))
      try {
        return await this.finishPending(pending, onProgress)
      } catch (err) {
        if (!uncertain(err)) throw err
        this.scheduleResume()
        throw pendingError(err, 'the registry did not answer')
      }
    })
  }

  private async publishChanges (changes: Change[], onProgress: (p: ImportProgress) => void): Promise<ImportReport> {
    try {
      return await this.publishOnce(changes, onProgress)
    } catch (err) {
      // A lost connection or answer: send the whole upload again. The registry commits an upload
      // at most once and answers a repeated one with "unchanged", so a retry cannot duplicate.
      // A deadline passed at the registry while it committed: the retry queues behind that commit and is answered "unchanged".
      const retriable: ErrorCode[] = ['RPC_UNREACHABLE', 'RPC_TIMEOUT', 'RPC_DEADLINE_EXCEEDED', C.uploadExpired]
      if (!retriable.some((code) => isLifelongError(err, code))) throw err
      await new Promise((resolve) => setTimeout(resolve, 1000))
      return await this.publishOnce(changes, onProgress)
    }
  }

  private async publishOnce (changes: Change[], onProgress: (p: ImportProgress) => void): Promise<ImportReport> {
    const registry = this.registryPeer()
    const uploadId = newUploadId()
    const parts = Math.max(1, Math.ceil(changes.length / this.partSize))
    let response: lifelong.education.PublishOfferingsResponse.$Properties = {}
    for (let part = 1; part <= parts; part++) {
      const slice = changes.slice((part - 1) * this.partSize, part * this.partSize)
      response = await this.client.call(
        registry,
        PublishOfferings,
        { uploadId, part, parts, changes: slice.map((c) => ({ clientRef: c.clientRef, offering: offeringToProto(c.offering), validFrom: c.validFrom })) },
        { deadlineMs: part === parts ? 120_000 : undefined }
      )
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
      // The registry's answer is stored: the upload is no longer pending (same batch).
      return { commit: { offeringVersions: versions, crosswalk, metaDeletes: [PENDING_UPLOAD_KEY] }, result: {} }
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

/**
 * The error of an import whose outcome at the registry is not known: what may have been
 * committed, that the node finishes it, and that a re-run is safe.
 */
function pendingError (cause: unknown, what: string): LifelongError {
  const e = toLifelongError(cause)
  return new LifelongError(
    'unavailable',
    C.importPending,
    `${what} (${e.code}). The registry may have committed this import whole, or not at all (it commits an upload in one step); ` +
      'this node keeps the upload and finishes it as soon as the registry answers (it retries, and again when it starts), so that its catalogue and the registry agree. ' +
      'Running the same import again is safe: what the registry already holds is answered "unchanged"',
    { cause }
  )
}
