/**
 * What an institution's staff do on the workbench, over the node's own services: their
 * catalogue (the offerings this node's catalogue holds, which are its own institution's: the
 * registry accepts an offering only from its owner), an edit that makes a new version of an
 * offering through the catalogue's one import path (the same validation and codes as a file, one
 * row), the index outbox (pointers waiting to be sent, and sent), and the node's latest signed
 * checkpoints with the witnesses that cosigned each, by their names in the manifest.
 */
import { ValidationError, isLifelongError, type FieldError } from '../../core/errors.ts'
import { parseNote } from '../../core/log/note.ts'
import { parseCheckpoint } from '../../core/log/checkpoint.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { InstitutionCatalogue } from '../registry/education/catalogue.ts'
import { selectVersion } from '../registry/education/history.ts'
import type { Offering, OfferingVersion } from '../registry/education/model.ts'
import type { IndexOutbox } from '../registry/results/outbox.ts'
import type { WorkbenchAudit } from './audit.ts'

/** The fields of an offering that the edit form changes (as text, as typed). */
export interface OfferingEdit {
  nameNb: string
  nameNn: string
  nameEn: string
  credits: string
  nkrLevel: string
  nusCode: string
  iscedF: string
  /** Space- or comma-separated language codes. */
  languages: string
  gradingScale: string
  learningOutcomesNb: string
  learningOutcomesEn: string
  /** Space- or comma-separated terms (2025H). */
  terms: string
  status: string
  /** When the new version takes effect (YYYY-MM-DD). */
  validFrom: string
}

export const EDIT_FIELDS: ReadonlyArray<keyof OfferingEdit> = [
  'nameNb',
  'nameNn',
  'nameEn',
  'credits',
  'nkrLevel',
  'nusCode',
  'iscedF',
  'languages',
  'gradingScale',
  'learningOutcomesNb',
  'learningOutcomesEn',
  'terms',
  'status',
  'validFrom'
]

/** The form filled in from an offering's version (what the edit page shows first). */
export function editOf (v: OfferingVersion, today: string): OfferingEdit {
  const o = v.offering
  return {
    nameNb: o.name.nb ?? '',
    nameNn: o.name.nn ?? '',
    nameEn: o.name.en ?? '',
    credits: String(o.credits),
    nkrLevel: o.nkrLevel,
    nusCode: o.nusCode,
    iscedF: o.iscedF,
    languages: o.languages.join(' '),
    gradingScale: o.gradingScale,
    learningOutcomesNb: o.learningOutcomes.nb ?? '',
    learningOutcomesEn: o.learningOutcomes.en ?? '',
    terms: o.terms.join(' '),
    status: o.status,
    validFrom: v.validFrom > today ? v.validFrom : today
  }
}

const list = (s: string): string[] => s.split(/[\s,;]+/).filter((x) => x !== '')
const localised = (pairs: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''))

/** The import row of an edit: the offering as it is, with the form's fields. */
function rowOf (o: Offering, e: OfferingEdit): Record<string, unknown> {
  return {
    id: o.id,
    kind: o.kind,
    localCode: o.localCode,
    localVersion: o.localVersion,
    name: localised({ nb: e.nameNb, nn: e.nameNn, en: e.nameEn }),
    credits: e.credits.trim(),
    nkrLevel: e.nkrLevel.trim(),
    nusCode: e.nusCode.trim(),
    iscedF: e.iscedF.trim(),
    languages: list(e.languages),
    gradingScale: e.gradingScale.trim(),
    learningOutcomes: localised({ ...o.learningOutcomes, nb: e.learningOutcomesNb, en: e.learningOutcomesEn }),
    terms: list(e.terms),
    status: e.status.trim(),
    relations: o.relations,
    links: o.links,
    ...(o.quality === undefined ? {} : { quality: o.quality }),
    validFrom: e.validFrom.trim()
  }
}

/** The form field an import problem's path (`/rows/1/name/nb`) is about. */
export function fieldOfPath (path: string): keyof OfferingEdit | undefined {
  const p = path.replace(/^\/rows\/\d+/, '')
  const lang = (base: string, l: string | undefined): string => `${base}${(l ?? 'nb').slice(0, 1).toUpperCase()}${(l ?? 'nb').slice(1)}`
  const m = /^\/([A-Za-z]+)(?:\/([A-Za-z0-9]+))?/.exec(p)
  if (m === null) return undefined
  const [, head = '', sub] = m
  const candidate = head === 'name' ? lang('name', sub) : head === 'learningOutcomes' ? lang('learningOutcomes', sub) : head
  return (EDIT_FIELDS as readonly string[]).includes(candidate) ? candidate as keyof OfferingEdit : undefined
}

/** A checkpoint as the page shows it. */
export interface CheckpointView {
  size: number
  /** The root hash, hex. */
  root: string
  /** Who cosigned it: the member's name in the manifest (the key name when no member has it), and when (Unix s) if the cosignature says. */
  cosigners: Array<{ name: string, at?: number }>
}

export interface WorkbenchComponents {
  catalogue: InstitutionCatalogue
  outbox: IndexOutbox
  /** The results registry's store (the index IDs of learners whose pointers were sent). */
  resultsStore: Sublevel
  /** The log's store (its signed checkpoints). */
  logStore: Sublevel
  federation: Federation
  audit: WorkbenchAudit
  now?: () => number
}

export class Workbench {
  private readonly c: WorkbenchComponents
  private readonly now: () => number

  constructor (components: WorkbenchComponents) {
    this.c = components
    this.now = components.now ?? Date.now
  }

  /** This institution's offerings, their versions in force today. */
  offerings (offset: number, limit: number): { total: number, items: OfferingVersion[] } {
    return this.c.catalogue.list(offset, limit)
  }

  /** Every version of one of this institution's offerings. @throws LifelongError EDUCATION_UNKNOWN_OFFERING for any other */
  offering (id: string): OfferingVersion[] {
    return this.c.catalogue.get(id)
  }

  today (): string {
    return this.c.catalogue.today()
  }

  /**
   * Makes a new version of one of this institution's offerings from the edit form, through the
   * catalogue's import (validated as a file's row; published to the registry; stored and logged
   * on both sides). History is never rewritten: the registry keeps every version.
   * Returns the outcome (`updated`, or `unchanged` when nothing differs) and the version now latest.
   * @throws LifelongError EDUCATION_UNKNOWN_OFFERING (not this institution's), ValidationError EDUCATION_IMPORT_INVALID with the form's fields
   */
  async edit (staff: string, id: string, form: OfferingEdit): Promise<{ outcome: 'updated' | 'unchanged', version: OfferingVersion }> {
    let current: OfferingVersion
    try {
      current = selectVersion(this.c.catalogue.get(id)) as OfferingVersion
    } catch (err) {
      await this.c.audit.record({ at: this.now(), staff, action: 'offering.edit', subject: id, outcome: isLifelongError(err) ? err.code : 'failed' })
      throw err
    }
    try {
      const report = await this.c.catalogue.importFile(JSON.stringify([rowOf(current.offering, form)]), 'json')
      const latest = selectVersion(this.c.catalogue.get(id)) as OfferingVersion
      const outcome = report.updated > 0 ? 'updated' : 'unchanged'
      await this.c.audit.record({ at: this.now(), staff, action: 'offering.edit', subject: id, outcome: 'ok', details: { result: outcome, version: latest.seq } })
      return { outcome, version: latest }
    } catch (err) {
      await this.c.audit.record({ at: this.now(), staff, action: 'offering.edit', subject: id, outcome: isLifelongError(err) ? err.code : 'failed' })
      if (err instanceof ValidationError) {
        // The row's problems, at the form's fields (a path no field has stays general: path '').
        const fields: FieldError[] = err.fields.map((f) => ({ path: fieldOfPath(f.path) ?? '', message: f.message }))
        throw new ValidationError(err.code, err.message, fields, { cause: err })
      }
      throw err
    }
  }

  /** The index outbox: pointers waiting to be sent, sent (learners the index has), refused since the node started. */
  async outbox (): Promise<{ pending: number, sent: number, rejected: number, lastError?: string }> {
    const status = await this.c.outbox.status()
    let sent = 0
    for await (const _ of this.c.resultsStore.keys({ gte: 'ix/', lt: 'ix/\xff' })) sent++
    return { pending: status.pending, sent, rejected: status.rejected, ...(status.lastError === undefined ? {} : { lastError: status.lastError }) }
  }

  /** The node's latest signed checkpoints, newest first, with who cosigned each. */
  async checkpoints (limit = 5): Promise<CheckpointView[]> {
    const out: CheckpointView[] = []
    for await (const bytes of this.c.logStore.values({ gte: 'cp/h/', lt: 'cp/h/\xff', reverse: true, limit })) {
      const note = parseNote(bytes)
      const checkpoint = parseCheckpoint(note.text)
      const cosigners = note.signatures.filter((s) => s.name !== checkpoint.origin).map((s) => {
        const peerId = s.name.split('/witness/')[1]
        const member = peerId === undefined ? undefined : this.c.federation.member(peerId)
        // cosignature/v1: an 8-byte timestamp (POSIX seconds, big-endian) before the Ed25519 signature (c2sp.org/tlog-cosignature).
        const at = s.signature.length === 72 ? Number(Buffer.from(s.signature).readBigUInt64BE(0)) : undefined
        return { name: member?.name ?? s.name, ...(at === undefined ? {} : { at }) }
      })
      // A hybrid witness signs twice (Ed25519 and ML-DSA-65) under one name: it is one cosigner.
      const once = cosigners.filter((c, i) => cosigners.findIndex((d) => d.name === c.name) === i)
      out.push({ size: checkpoint.size, root: Buffer.from(checkpoint.root).toString('hex'), cosigners: once })
    }
    return out
  }
}
