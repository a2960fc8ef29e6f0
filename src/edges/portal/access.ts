/**
 * "Who saw my data" as events a person reads: one sentence per thing that happened, from the
 * rows the logs keep (the national index's access log, each institution's, the bridges' and the
 * openings of the learner's shares — their data is kept as it is; this only reads it).
 *
 * What is merged: one look at "My results" is one index lookup and a read at every source, so
 * the rows of the learner's own use (by purpose, close in time) become one event; the reads an
 * opening of a share causes at the sources become details of that opening; the reads a transfer
 * abroad causes become details of the transfer. Everything else is an event of its own. The
 * learner's own use is hidden unless asked for; the rest can be filtered by kind and paged.
 * Pure functions.
 */
import type { Lang } from '../ui/lang.ts'
import { formatDate, formatDayMonth } from '../ui/format.ts'
import { ACCESS_TEXTS, legalBasisText, purposeText } from './access-texts.ts'

/** A read of the learner's results (or of their access log) recorded at an institution. */
export interface InstitutionRow {
  from: 'institution'
  at: number
  /** Who read: the member's name (or organisation number). */
  who: string
  operation: string
  purpose: string
  legalBasis: string
  /** How many results were read. */
  count: number
  /** The institution whose log this is. */
  where: string
}

/** A read or a write recorded by the national index. */
export interface IndexRow {
  from: 'index'
  at: number
  who: string
  operation: string
  kind: 'read' | 'write'
  /** For writes: what changed (`pointer-registered`, `created`, …). */
  change: string
  purpose: string
  legalBasis: string
}

/** What a bridge handed on (EMREX, OOTS, the wallet), as it recorded it. */
export interface BridgeRow {
  from: 'bridge'
  at: number
  who: string
  operation: string
  purpose: string
  legalBasis: string
  reference?: string
}

/** An attempt to open one of the learner's shares. */
export interface ShareRow {
  from: 'share'
  at: number
  shareId: string
  /** Who the share is for, in the learner's words (also `recipient`). */
  who: string
  recipient: string
  createdAt: number
  outcome: string
  useNumber: number
}

export type AccessRow = InstitutionRow | IndexRow | BridgeRow | ShareRow

export type AccessCategory = 'shares' | 'abroad' | 'institutions' | 'index'

export interface AccessEvent {
  at: number
  category: AccessCategory
  /** The learner's own use of the portal. */
  own: boolean
  /** The sentence (plain text). */
  text: string
  purpose?: string
  legalBasis?: string
  reference?: string
  /** What else happened as part of it (plain text sentences). */
  details: string[]
}

/** Purposes of the learner's own use: they look at their own results, log or index record. */
export const OWN_PURPOSES: ReadonlySet<string> = new Set(['portal.own-results', 'portal.access-log', 'learner.self-service'])
/** Purposes of reads made to hand results on through a bridge. */
const BRIDGE_PURPOSES: ReadonlySet<string> = new Set(['emrex.transfer', 'eudi.wallet-issuance', 'oots.evidence-exchange', 'portal.transfer'])
/** Rows of one look at a page come within this of each other. */
const CLUSTER_GAP_MS = 30_000
/** The reads an opening of a share or a transfer causes come within this of it. */
const ATTACH_MS = 120_000

const byTime = (a: { at: number }, b: { at: number }): number => a.at - b.at

/** Rows of one purpose, close in time, as groups. */
function clusters<R extends { at: number, purpose: string }> (rows: readonly R[]): R[][] {
  const out: R[][] = []
  const open = new Map<string, R[]>()
  for (const r of [...rows].sort(byTime)) {
    const current = open.get(r.purpose)
    const last = current?.[current.length - 1]
    if (current !== undefined && last !== undefined && r.at - last.at <= CLUSTER_GAP_MS) {
      current.push(r)
    } else {
      const group = [r]
      out.push(group)
      open.set(r.purpose, group)
    }
  }
  return out
}

const distinct = (values: readonly string[]): string[] => [...new Set(values.filter((v) => v !== ''))]

/** The number in an operation like `emrex.results-sent (2)`. */
function countIn (operation: string): number {
  const m = /\((\d+)\)\s*$/.exec(operation)
  return m === null ? 1 : Number(m[1])
}

/** Turns the logs' rows into events, newest first. */
export function accessEvents (rows: readonly AccessRow[], lang: Lang): AccessEvent[] {
  const t = ACCESS_TEXTS[lang]
  const events: AccessEvent[] = []
  const why = (purpose: string, legalBasis: string): Pick<AccessEvent, 'purpose' | 'legalBasis'> => ({
    ...(purpose === '' ? {} : { purpose: purposeText(purpose, lang) }),
    ...(legalBasis === '' ? {} : { legalBasis: legalBasisText(legalBasis, lang) })
  })
  const reads = rows.filter((r): r is InstitutionRow | IndexRow => r.from === 'institution' || r.from === 'index')

  // 1. The learner's own use: one event per look.
  for (const group of clusters(reads.filter((r) => OWN_PURPOSES.has(r.purpose)))) {
    const first = group[0] as InstitutionRow | IndexRow
    const sources = distinct(group.filter((r): r is InstitutionRow => r.from === 'institution' && r.operation === 'results.get').map((r) => r.where))
    const text = first.purpose === 'portal.access-log' ? t.ownAccessLog : first.purpose === 'learner.self-service' ? t.ownIndex : t.ownResults(sources.length)
    events.push({ at: first.at, category: first.from === 'index' && group.every((r) => r.from === 'index') ? 'index' : 'institutions', own: true, text, ...why(first.purpose, first.legalBasis), details: [] })
  }

  // 2. Openings of shares, with the reads they caused at the sources.
  const openings: Array<{ row: ShareRow, event: AccessEvent, sent: Map<string, number> }> = []
  for (const r of rows.filter((x): x is ShareRow => x.from === 'share').sort(byTime)) {
    const recipient = `«${r.recipient}»`
    const text = r.outcome === 'granted'
      ? t.shareOpened(lang === 'en' ? `“${r.recipient}”` : recipient, sameYear(r.createdAt, r.at) ? formatDayMonth(r.createdAt, lang) : formatDate(r.createdAt, lang))
      : r.outcome === 'locked'
      ? t.shareLocked(lang === 'en' ? `“${r.recipient}”` : recipient)
      : t.shareWrongCode(lang === 'en' ? `“${r.recipient}”` : recipient)
    const event: AccessEvent = { at: r.at, category: 'shares', own: false, text, ...why('portal.share-view', 'gdpr-6-1-a'), details: [] }
    events.push(event)
    if (r.outcome === 'granted') openings.push({ row: r, event, sent: new Map() })
  }
  for (const group of clusters(reads.filter((r) => r.purpose === 'portal.share-view'))) {
    const first = group[0] as InstitutionRow | IndexRow
    const opening = nearest(openings, first.at)
    const fetched = group.filter((r): r is InstitutionRow => r.from === 'institution')
    if (opening !== undefined) {
      for (const r of fetched) opening.sent.set(r.where, (opening.sent.get(r.where) ?? 0) + r.count)
    } else {
      events.push({ at: first.at, category: 'shares', own: false, text: t.fetchedFor(t.list(distinct(fetched.map((r) => r.where))) || t.theIndex, purposeText(first.purpose, lang)), ...why(first.purpose, first.legalBasis), details: [] })
    }
  }
  for (const o of openings) for (const [where, n] of o.sent) o.event.details.push(t.sentForShare(where, n))

  // 3. What the bridges handed on, with the reads they caused.
  const transfers: Array<{ row: BridgeRow, event: AccessEvent }> = []
  for (const r of rows.filter((x): x is BridgeRow => x.from === 'bridge').sort(byTime)) {
    const op = r.operation
    const who = r.who === '' ? t.someone : r.who
    const text = op.startsWith('emrex.results-sent') ?
      t.emrexSent(who, countIn(op))
      : op.startsWith('oots.request') ?
      t.ootsAsked(who)
      : op === 'oots.preview-approved' ?
      t.ootsApproved(who)
      : op === 'oots.preview-refused' ?
      t.ootsRefused(who)
      : op === 'oots.evidence-sent' ?
      t.ootsSent(who)
      : op === 'eudi.credential-issued' ?
      t.walletIssued
      : op === 'eudi.credential-revoked' ?
      t.walletRevoked
      : t.other(who, op)
    const event: AccessEvent = { at: r.at, category: 'abroad', own: false, text, ...why(r.purpose, r.legalBasis), ...(r.reference === undefined || r.reference === '' ? {} : { reference: r.reference }), details: [] }
    events.push(event)
    transfers.push({ row: r, event })
  }
  for (const group of clusters(reads.filter((r) => BRIDGE_PURPOSES.has(r.purpose)))) {
    const first = group[0] as InstitutionRow | IndexRow
    const sources = distinct(group.filter((r): r is InstitutionRow => r.from === 'institution').map((r) => r.where))
    const detail = t.fetchedFor(t.list(sources) || t.theIndex, purposeText(first.purpose, lang))
    const transfer = nearest(transfers.filter((x) => x.row.purpose === first.purpose || (first.purpose === 'portal.transfer' && x.row.purpose === 'emrex.transfer')), first.at)
    if (transfer !== undefined) transfer.event.details.push(detail)
    else events.push({ at: first.at, category: 'abroad', own: false, text: detail, ...why(first.purpose, first.legalBasis), details: [] })
  }

  // 4. Everything else the institutions and the index recorded.
  for (const r of reads) {
    if (OWN_PURPOSES.has(r.purpose) || BRIDGE_PURPOSES.has(r.purpose) || r.purpose === 'portal.share-view') continue
    const who = r.who === '' ? t.someone : r.who
    if (r.from === 'institution') {
      const text = r.operation === 'results.get' ? t.readResults(who, r.count, r.where) : r.operation === 'results.access-log' ? t.readAccessLog(who, r.where) : t.institutionRead(who, r.where)
      events.push({ at: r.at, category: 'institutions', own: false, text, ...why(r.purpose, r.legalBasis), details: [] })
      continue
    }
    const text = r.kind === 'write' ? indexWriteText(r.change, who, lang) : indexReadText(r.operation, who, lang)
    events.push({ at: r.at, category: 'index', own: false, text, ...why(r.purpose, r.legalBasis), details: [] })
  }
  return events.sort((a, b) => b.at - a.at)
}

function indexReadText (operation: string, who: string, lang: Lang): string {
  const t = ACCESS_TEXTS[lang]
  switch (operation) {
    case 'index.find-result-sources':
    case 'learners.result-sources':
      return t.indexLookedUp(who)
    case 'index.check-enrolment':
    case 'learners.enrolment':
      return t.indexChecked(who)
    case 'learners.register':
      return t.indexRegisterCheck(who)
    case 'learners.resolve':
      return t.indexResolved(who)
    case 'learners.match':
      return t.indexMatched(who)
    default:
      return t.indexRead(who)
  }
}

function indexWriteText (change: string, who: string, lang: Lang): string {
  const t = ACCESS_TEXTS[lang]
  if (change === 'pointer-registered') return t.pointerRegistered(who)
  if (change === 'pointer-withdrawn') return t.pointerWithdrawn(who)
  if (change === 'enrolment-registered') return t.enrolmentRegistered(who)
  if (change === 'enrolment-withdrawn') return t.enrolmentWithdrawn(who)
  if (change === 'created') return t.identityCreated(who)
  if (change.startsWith('identifier-change')) return t.identifierChange(who)
  return t.identityChanged(who)
}

function nearest<X extends { event: AccessEvent }> (candidates: readonly X[], at: number): X | undefined {
  let best: X | undefined
  for (const c of candidates) {
    const d = Math.abs(c.event.at - at)
    if (d <= ATTACH_MS && (best === undefined || d < Math.abs(best.event.at - at))) best = c
  }
  return best
}

function sameYear (a: number, b: number): boolean {
  return new Date(a).getUTCFullYear() === new Date(b).getUTCFullYear()
}

export type ShowFilter = 'others' | 'own' | 'all'
export type WhatFilter = 'all' | AccessCategory

export interface AccessQuery {
  show: ShowFilter
  what: WhatFilter
  page: number
}

export const ACCESS_PAGE_SIZE = 20

/** The query of the page's filter form, with defaults for anything missing or unknown. */
export function accessQuery (q: Record<string, unknown>): AccessQuery {
  const show = q.show === 'own' || q.show === 'all' ? q.show : 'others'
  const what = q.what === 'shares' || q.what === 'abroad' || q.what === 'institutions' || q.what === 'index' ? q.what : 'all'
  const page = typeof q.page === 'string' && /^[1-9]\d{0,4}$/.test(q.page) ? Number(q.page) : 1
  return { show, what, page }
}

export interface AccessPage {
  items: AccessEvent[]
  /** Events after filtering. */
  total: number
  page: number
  pages: number
  /** Own events the filter hides. */
  ownHidden: number
}

/** The events the filters keep, one page of them. */
export function pageOfEvents (events: readonly AccessEvent[], q: AccessQuery, size = ACCESS_PAGE_SIZE): AccessPage {
  const ofKind = events.filter((e) => q.what === 'all' || e.category === q.what)
  const kept = ofKind.filter((e) => q.show === 'all' || (q.show === 'own') === e.own)
  const pages = Math.max(1, Math.ceil(kept.length / size))
  const page = Math.min(q.page, pages)
  return { items: kept.slice((page - 1) * size, page * size), total: kept.length, page, pages, ownHidden: q.show === 'others' ? ofKind.filter((e) => e.own).length : 0 }
}
