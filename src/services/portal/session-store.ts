/**
 * The portal's server-side sessions, in its LevelDB (sublevel `portal`), so that they survive a
 * restart and can be ended: the browser holds only a random session ID (256 bits) in its cookie;
 * the record holds the learner's sign-in (identifier, names, birth date), when it was created
 * and last used, and the session's CSRF token (src/edges/http/csrf.ts). The ID token is checked at
 * sign-in and then dropped: it is never a cookie and never stored.
 *
 * - Records are keyed by the SHA-256 of the ID: a copy of the store (a backup) holds no usable
 *   cookie. Each is also listed under a keyed hash of the learner's identifier, so that "sign
 *   out everywhere" finds them all without storing the identifier in a key.
 * - A session ends at the first of: its idle timeout after the last recorded use
 *   (`portal.session.idleMinutes`), its absolute timeout after sign-in
 *   (`portal.session.absoluteHours`), sign-out (this session), or sign-out everywhere (every
 *   session of the learner). OWASP Session Management Cheat Sheet §Session Expiration.
 * - Use is recorded at most once per {@link touchInterval} (a write per request would make every
 *   page view a disk write); the idle timeout counts from the last recorded use.
 * - Expired records are refused when read and deleted then, and by {@link SessionStore.sweep}.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { SubjectId } from '../registry/results/model.ts'
import { learnerSessionKey, learnerSessionsPrefix, sessionKey } from './keys.ts'

/** How long sessions last. */
export interface SessionTimeouts {
  /** Ends a session this long after its last use. */
  idleMs: number
  /** Ends a session this long after sign-in, however busy. */
  absoluteMs: number
}

/** The sign-in a session is of. */
export interface SessionLearner {
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate?: string
}

/** A session as stored. */
interface SessionRecord {
  learner: SessionLearner
  /** The issuer the learner signed in at. */
  issuer: string
  /** The session's CSRF token (synchronizer token), random, 256 bits. */
  csrf: string
  createdAt: number
  lastSeenAt: number
}

/** A session that has not ended. */
export interface LiveSession extends SessionRecord {
  /** When it ends unless used again (Unix ms). */
  expiresAt: number
}

export interface SessionStoreComponents {
  store: Sublevel
  now?: () => number
}

const enc = new TextEncoder()
const dec = new TextDecoder()
/** Session IDs: base64url of 32 random bytes. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

type Deletion = { type: 'del', key: string }

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex')

/** How often a session's last use is written: a minute, or a tenth of the idle timeout if that is shorter. */
export const touchInterval = (t: SessionTimeouts): number => Math.min(60_000, Math.floor(t.idleMs / 10))

/** When a session ends unless it is used again. */
export const expiryOf = (s: { createdAt: number, lastSeenAt: number }, t: SessionTimeouts): number => Math.min(s.createdAt + t.absoluteMs, s.lastSeenAt + t.idleMs)

export class SessionStore {
  private readonly store: Sublevel
  private readonly now: () => number
  private readonly timeouts: SessionTimeouts
  private learnerKey: Buffer = Buffer.alloc(0)

  constructor (components: SessionStoreComponents, timeouts: SessionTimeouts) {
    this.store = components.store
    this.now = components.now ?? Date.now
    this.timeouts = timeouts
  }

  /** Takes the key of the learner index (derived from the portal's session secret); call before use. */
  load (secret: Uint8Array): void {
    this.learnerKey = Buffer.from(createHmac('sha256', secret).update('lifelong portal sessions by learner v1').digest())
  }

  private learnerHash (s: SubjectId): string {
    return createHmac('sha256', this.learnerKey).update(`${s.scheme}\0${s.value}`).digest('hex').slice(0, 40)
  }

  /** Starts a session for a learner who has just signed in; returns its ID (for the cookie only). */
  async create (learner: SessionLearner, issuer: string): Promise<{ id: string, session: LiveSession }> {
    const id = randomBytes(32).toString('base64url')
    const now = this.now()
    const record: SessionRecord = { learner, issuer, csrf: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now }
    const idHash = hashOf(id)
    await this.store.batch([
      { type: 'put', key: sessionKey(idHash), value: enc.encode(JSON.stringify(record)) },
      { type: 'put', key: learnerSessionKey(this.learnerHash(learner.subject), idHash), value: new Uint8Array() }
    ])
    return { id, session: { ...record, expiresAt: expiryOf(record, this.timeouts) } }
  }

  /**
   * The live session of an ID, recording its use (at most once per touch interval); undefined
   * for an unknown, ended or expired one (an expired record is deleted).
   */
  async get (id: string): Promise<LiveSession | undefined> {
    if (!SESSION_ID.test(id)) return undefined
    const idHash = hashOf(id)
    const bytes = await this.store.get(sessionKey(idHash))
    if (bytes === undefined) return undefined
    const record = JSON.parse(dec.decode(bytes)) as SessionRecord
    const now = this.now()
    if (now >= expiryOf(record, this.timeouts)) {
      await this.store.batch(this.deletions(record, idHash))
      return undefined
    }
    if (now - record.lastSeenAt >= touchInterval(this.timeouts)) {
      record.lastSeenAt = now
      await this.store.put(sessionKey(idHash), enc.encode(JSON.stringify(record)))
    }
    return { ...record, expiresAt: expiryOf(record, this.timeouts) }
  }

  /** Ends one session (sign out). Ending an unknown or ended one does nothing. */
  async end (id: string): Promise<void> {
    if (!SESSION_ID.test(id)) return
    const idHash = hashOf(id)
    const bytes = await this.store.get(sessionKey(idHash))
    if (bytes === undefined) return
    await this.store.batch(this.deletions(JSON.parse(dec.decode(bytes)) as SessionRecord, idHash))
  }

  /** Ends every session of a learner (sign out everywhere); returns how many were live. */
  async endAll (subject: SubjectId): Promise<number> {
    const prefix = learnerSessionsPrefix(this.learnerHash(subject))
    const ops: Deletion[] = []
    const now = this.now()
    let live = 0
    for await (const key of this.store.keys({ gte: prefix, lt: `${prefix}\xff` })) {
      const idHash = key.slice(prefix.length)
      const bytes = await this.store.get(sessionKey(idHash))
      if (bytes !== undefined && now < expiryOf(JSON.parse(dec.decode(bytes)) as SessionRecord, this.timeouts)) live++
      ops.push({ type: 'del', key: sessionKey(idHash) }, { type: 'del', key })
    }
    if (ops.length > 0) await this.store.batch(ops)
    return live
  }

  /** Deletes every expired session; returns how many. */
  async sweep (): Promise<number> {
    const now = this.now()
    const ops: Deletion[] = []
    let n = 0
    for await (const [key, bytes] of this.store.iterator({ gte: sessionKey(''), lt: sessionKey('\xff') })) {
      const record = JSON.parse(dec.decode(bytes)) as SessionRecord
      if (now < expiryOf(record, this.timeouts)) continue
      ops.push(...this.deletions(record, key.slice(sessionKey('').length)))
      n++
    }
    if (ops.length > 0) await this.store.batch(ops)
    return n
  }

  private deletions (record: SessionRecord, idHash: string): Deletion[] {
    return [{ type: 'del', key: sessionKey(idHash) }, { type: 'del', key: learnerSessionKey(this.learnerHash(record.learner.subject), idHash) }]
  }
}
