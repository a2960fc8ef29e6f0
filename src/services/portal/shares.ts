/**
 * Shares: a learner hands chosen results to someone (an employer) by link and access code, with
 * an expiry, an optional use limit, and revocation. The portal keeps the share, not the
 * results: every opening fetches the results from their sources again and verifies them, so a
 * correction or an annulment shows at once. Every attempt to open a share — granted or not — is
 * recorded and shown to the learner. Share versions and openings go into the portal's log.
 *
 * The access code is shown to the learner once; the portal keeps only scrypt(code, salt).
 *
 * Guessing. Ten wrong codes lock the share for good: a counter in the share's own record, so it
 * counts every client address together and survives a restart (a per-address rate limit at the
 * edge, `http.rateLimit.shareOpen`, slows each guesser; a named in-memory limit keyed by share
 * would forget its count at every restart and is per process, so the durable counter is the
 * per-share limit). Attempts on one share are taken one at a time (one lane of the log's unit of
 * work per share), and its state — lock,
 * revocation, expiry, use limit — is checked before the code is hashed: once a share cannot be
 * opened, an attempt costs one read, no scrypt and no write. What the learner sees is every
 * attempt that reached the code check (granted or wrong) and the lock, recorded once when it
 * happens; attempts on a share that can no longer be opened are refused without a record (they
 * would otherwise let anyone with the link grow the learner's log without knowing the code).
 */
import { createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { lifelong } from '../../core/gen/proto.js'
import { LifelongError } from '../../core/errors.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { LogWriter } from '../../store/log/unit-of-work.ts'
import type { SubjectId } from '../registry/results/model.ts'

const scrypt = promisify(scryptCallback) as (password: string, salt: Uint8Array, keylen: number, options: { N: number, r: number, p: number }) => Promise<Buffer>
const pb = lifelong.portal
const enc = new TextEncoder()
const dec = new TextDecoder()
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const MAX_WRONG_CODES = 10
const SCRYPT = { N: 16384, r: 8, p: 1 }

export const SHARE_LOG_TYPES = { share: 'portal.share-version', opening: 'portal.share-opening' } as const

export type ShareState = 'active' | 'revoked' | 'expired' | 'exhausted' | 'locked'

export interface ShareSummary {
  shareId: string
  recipient: string
  results: Array<{ organisationNumber: string, resultId: string }>
  createdAt: number
  expiresAt: number
  maxUses: number
  uses: number
  state: ShareState
  openings: Array<{ at: number, outcome: string, useNumber: number, via: string }>
  /** The language of the recipient's view, if the learner chose one. */
  lang?: ShareLang
  /** Whether the recipient's view shows the learner's birth date. */
  showBirthDate: boolean
}

/** The languages a share's recipient view can be in. */
export type ShareLang = 'nb' | 'nn' | 'en'
const SHARE_LANGS: readonly string[] = ['nb', 'nn', 'en']
const shareLangOf = (l: string): ShareLang | undefined => SHARE_LANGS.includes(l) ? l as ShareLang : undefined

export interface CreateShare {
  results: Array<{ organisationNumber: string, resultId: string }>
  recipient: string
  expiresAt: number
  maxUses: number
  /** The language of the recipient's view (default: the recipient's browser decides). */
  lang?: ShareLang
  /** Show the learner's birth date to the recipient (default no). */
  showBirthDate?: boolean
}

interface Counters {
  v: number
  uses: number
  wrong: number
}

export interface ShareStoreComponents {
  store: Sublevel
  log: LogWriter
  now?: () => number
}

export interface ShareStoreInit {
  maxDays: number
}

const randomSymbols = (n: number): string => Array.from(randomBytes(n), (b) => CROCKFORD[b & 31]).join('')
/** Canonical form of a typed access code: upper case, no spaces or dashes, I/L read as 1, O as 0. */
export const normaliseCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0')

export class ShareStore {
  private readonly c: ShareStoreComponents
  private readonly init: ShareStoreInit
  private readonly now: () => number
  private secret: Uint8Array = new Uint8Array()
  constructor (components: ShareStoreComponents, init: ShareStoreInit) {
    this.c = components
    this.init = init
    this.now = components.now ?? Date.now
  }

  async load (): Promise<void> {
    let secret = await this.c.store.get('meta/secret')
    if (secret === undefined) {
      secret = new Uint8Array(randomBytes(32))
      await this.c.store.put('meta/secret', secret)
    }
    this.secret = secret
  }

  private ownerHash (s: SubjectId): string {
    return createHmac('sha256', this.secret).update(`${s.scheme}\0${s.value}`).digest('hex').slice(0, 40)
  }

  /** Creates a share; returns its ID and the access code (shown once). */
  async create (owner: SubjectId, input: CreateShare): Promise<{ shareId: string, code: string }> {
    const now = this.now()
    if (!Array.isArray(input.results) || input.results.length === 0 || input.results.length > 200) throw new LifelongError('invalid', 'SHARE_INVALID', 'pick between 1 and 200 results')
    if (typeof input.recipient !== 'string' || input.recipient.trim() === '' || input.recipient.length > 200) throw new LifelongError('invalid', 'SHARE_INVALID', 'say who the share is for (at most 200 characters)')
    if (!Number.isSafeInteger(input.expiresAt) || input.expiresAt <= now || input.expiresAt > now + this.init.maxDays * 86_400_000) throw new LifelongError('invalid', 'SHARE_INVALID', `the expiry must be within ${this.init.maxDays} days`)
    if (!Number.isInteger(input.maxUses) || input.maxUses < 0 || input.maxUses > 1000) throw new LifelongError('invalid', 'SHARE_INVALID', 'the use limit must be 0 (none) to 1000')
    if (input.lang !== undefined && shareLangOf(input.lang) === undefined) throw new LifelongError('invalid', 'SHARE_INVALID', 'the language must be nb, nn or en')
    const shareId = randomSymbols(26).toLowerCase()
    const code = randomSymbols(10)
    const salt = new Uint8Array(randomBytes(16))
    const hash = await scrypt(code, salt, 32, SCRYPT)
    const record = pb.ShareRecord.encode({
      shareId,
      version: 1,
      status: 'active',
      ownerScheme: owner.scheme,
      ownerValue: owner.value,
      results: input.results,
      recipient: input.recipient.trim(),
      createdAtMs: now,
      expiresAtMs: input.expiresAt,
      maxUses: input.maxUses,
      codeSalt: salt,
      codeHash: hash,
      recordedAtMs: now,
      lang: input.lang ?? '',
      showBirthDate: input.showBirthDate === true
    }).finish()
    const store = this.c.store
    await this.c.log.transaction((tx) => {
      tx.record({ sublevel: store, key: `sh/${shareId}/00000001`, value: record, entry: { type: SHARE_LOG_TYPES.share, key: `${shareId}/v1` } })
      tx.put(store, `s/${shareId}`, enc.encode(JSON.stringify({ v: 1, uses: 0, wrong: 0 } satisfies Counters)))
      tx.put(store, `so/${this.ownerHash(owner)}/${String(now).padStart(13, '0')}/${shareId}`, new Uint8Array())
    })
    return { shareId, code: `${code.slice(0, 5)}-${code.slice(5)}` }
  }

  private async load1 (shareId: string): Promise<{ record: lifelong.portal.ShareRecord, counters: Counters } | undefined> {
    if (!/^[0-9a-hjkmnp-tv-z]{26}$/.test(shareId)) return undefined
    const c = await this.c.store.get(`s/${shareId}`)
    if (c === undefined) return undefined
    const counters = JSON.parse(dec.decode(c)) as Counters
    const bytes = await this.c.store.get(`sh/${shareId}/${counters.v.toString(16).padStart(8, '0')}`)
    if (bytes === undefined) return undefined
    return { record: pb.ShareRecord.decode(bytes), counters }
  }

  private stateOf (record: lifelong.portal.ShareRecord, counters: Counters, now: number): ShareState {
    if (record.status === 'revoked') return 'revoked'
    if (counters.wrong >= MAX_WRONG_CODES) return 'locked'
    if (now >= Number(record.expiresAtMs)) return 'expired'
    if (record.maxUses > 0 && counters.uses >= record.maxUses) return 'exhausted'
    return 'active'
  }

  /** The learner's shares, newest first, with every opening. */
  async list (owner: SubjectId): Promise<ShareSummary[]> {
    const prefix = `so/${this.ownerHash(owner)}/`
    const ids: string[] = []
    for await (const key of this.c.store.keys({ gte: prefix, lt: prefix + '\xff', reverse: true })) ids.push(key.slice(key.lastIndexOf('/') + 1))
    const now = this.now()
    const out: ShareSummary[] = []
    for (const shareId of ids) {
      const s = await this.load1(shareId)
      if (s === undefined) continue
      const openings: ShareSummary['openings'] = []
      for await (const v of this.c.store.values({ gte: `op/${shareId}/`, lt: `op/${shareId}/\xff`, reverse: true })) {
        const o = pb.ShareOpening.decode(v)
        openings.push({ at: Number(o.atMs), outcome: o.outcome, useNumber: o.useNumber, via: o.via })
      }
      out.push({
        shareId,
        recipient: s.record.recipient,
        results: s.record.results.map((r) => ({ organisationNumber: r.organisationNumber ?? '', resultId: r.resultId ?? '' })),
        createdAt: Number(s.record.createdAtMs),
        expiresAt: Number(s.record.expiresAtMs),
        maxUses: s.record.maxUses,
        uses: s.counters.uses,
        state: this.stateOf(s.record, s.counters, now),
        openings,
        ...viewOf(s.record)
      })
    }
    return out
  }

  /**
   * The language the learner chose for a share's recipient, to greet them in it before they
   * enter the code (nothing else of the share is told before the code).
   */
  async langOf (shareId: string): Promise<ShareLang | undefined> {
    const s = await this.load1(shareId)
    return s === undefined ? undefined : viewOf(s.record).lang
  }

  /** Revokes a share of the learner's: a new version. Revoking twice is a no-op. */
  async revoke (owner: SubjectId, shareId: string): Promise<void> {
    await this.c.log.transaction(async (tx) => {
      const s = await this.load1(shareId)
      if (s === undefined || s.record.ownerScheme !== owner.scheme || s.record.ownerValue !== owner.value) throw new LifelongError('not-found', 'SHARE_NOT_FOUND', 'no such share of yours')
      if (s.record.status === 'revoked') return
      const now = this.now()
      const version = s.counters.v + 1
      const record = pb.ShareRecord.encode({ ...s.record, version, status: 'revoked', recordedAtMs: now }).finish()
      tx.record({ sublevel: this.c.store, key: `sh/${shareId}/${version.toString(16).padStart(8, '0')}`, value: record, entry: { type: SHARE_LOG_TYPES.share, key: `${shareId}/v${version}` } })
      tx.put(this.c.store, `s/${shareId}`, enc.encode(JSON.stringify({ ...s.counters, v: version })))
    }, { lane: shareLane(shareId) })
  }

  /**
   * Opens a share with its code. A share that cannot be opened (locked, revoked, expired, used
   * up) is refused before the code is hashed, and nothing is written; otherwise the code is
   * checked and the attempt counted and recorded (granted, or wrong: the tenth wrong code also
   * records the lock). Returns the share's owner and results when granted.
   * @throws LifelongError SHARE_NOT_FOUND (404), SHARE_WRONG_CODE (403), SHARE_LOCKED, SHARE_REVOKED, SHARE_EXPIRED, SHARE_EXHAUSTED (410)
   */
  async open (shareId: string, code: string, via: 'web' | 'bundle' | 'pdf'): Promise<OpenedShare> {
    if ((await this.load1(shareId)) === undefined) throw new LifelongError('not-found', 'SHARE_NOT_FOUND', 'no such share')
    const attempt = await this.c.log.transaction(async (tx) => {
      const s = await this.load1(shareId) as NonNullable<Awaited<ReturnType<ShareStore['load1']>>>
      const now = this.now()
      refuseUnless(this.stateOf(s.record, s.counters, now))
      const typed = normaliseCode(typeof code === 'string' ? code : '')
      const hash = await scrypt(typed, s.record.codeSalt, 32, SCRYPT)
      const granted = typed.length === 10 && timingSafeEqual(hash, Buffer.from(s.record.codeHash))
      const counters = { ...s.counters }
      if (granted) counters.uses++
      else counters.wrong++
      const outcomes = granted ? ['granted'] : counters.wrong >= MAX_WRONG_CODES ? ['wrong-code', 'locked'] : ['wrong-code']
      tx.put(this.c.store, `s/${shareId}`, enc.encode(JSON.stringify(counters)))
      // Numbered, so that openings in one millisecond (the lock and the wrong code that caused it) keep their order.
      const attempts = counters.uses + counters.wrong
      for (const [i, outcome] of outcomes.entries()) {
        const opening = pb.ShareOpening.encode({ shareId, atMs: now, outcome, useNumber: outcome === 'granted' ? counters.uses : 0, via }).finish()
        const suffix = `${String(now).padStart(13, '0')}/${String(attempts + i).padStart(8, '0')}`
        tx.record({ sublevel: this.c.store, key: `op/${shareId}/${suffix}`, value: opening, entry: { type: SHARE_LOG_TYPES.opening, key: `${shareId}/opening/${suffix}` } })
      }
      return { granted, record: s.record, counters }
    }, { lane: shareLane(shareId) })
    // The attempt is recorded either way; a wrong code is refused once it is.
    const { granted, record, counters } = attempt
    if (!granted) throw new LifelongError('forbidden', 'SHARE_WRONG_CODE', counters.wrong >= MAX_WRONG_CODES ? 'the access code is not right; that was the last try: the share is now locked' : 'the access code is not right')
    return {
      owner: { scheme: record.ownerScheme as SubjectId['scheme'], value: record.ownerValue },
      recipient: record.recipient,
      results: record.results.map((r) => ({ organisationNumber: r.organisationNumber ?? '', resultId: r.resultId ?? '' })),
      useNumber: counters.uses,
      expiresAt: Number(record.expiresAtMs),
      createdAt: Number(record.createdAtMs),
      ...viewOf(record)
    }
  }
}

/** The lane of a share's changes and attempts: one at a time per share. */
const shareLane = (shareId: string): string => `portal.share/${shareId}`

/** What an opened share gives: whose results, which, and how the recipient's view shows them. */
export interface OpenedShare {
  owner: SubjectId
  recipient: string
  results: Array<{ organisationNumber: string, resultId: string }>
  useNumber: number
  expiresAt: number
  createdAt: number
  lang?: ShareLang
  showBirthDate: boolean
}

/** The recipient's view as the learner chose it (shares made before the choice: no language, no birth date). */
function viewOf (record: lifelong.portal.ShareRecord): { lang?: ShareLang, showBirthDate: boolean } {
  const lang = shareLangOf(record.lang ?? '')
  return { ...(lang === undefined ? {} : { lang }), showBirthDate: record.showBirthDate === true }
}

/** Refuses an attempt on a share that cannot be opened, before its code is looked at. */
function refuseUnless (state: ShareState): void {
  if (state === 'locked') throw new LifelongError('gone', 'SHARE_LOCKED', 'too many wrong codes: the share is locked; ask the learner for a new one')
  if (state === 'revoked') throw new LifelongError('gone', 'SHARE_REVOKED', 'the learner has revoked this share')
  if (state === 'expired') throw new LifelongError('gone', 'SHARE_EXPIRED', 'the share has expired')
  if (state === 'exhausted') throw new LifelongError('gone', 'SHARE_EXHAUSTED', 'the share has been opened as many times as the learner allowed')
}
