/**
 * Staff sessions of the workbench, server-side in the node's store (sublevel `workbench`): the
 * browser holds only a random session ID (256 bits) in an HttpOnly cookie; the record, keyed by
 * the ID's SHA-256 (a copy of the store holds no usable cookie), holds the staff member's handle,
 * the session's CSRF token (synchronizer token, src/edges/http/csrf.ts) and when it was created
 * and last used. A session ends at the first of its idle timeout, its absolute timeout, and
 * sign-out (OWASP Session Management Cheat Sheet §Session Expiration); expired records are
 * refused when read and deleted then, and by {@link StaffSessionStore.sweep}. The roles are not
 * in the record: they are the config's at every request.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import { expiryOf, touchInterval, type SessionTimeouts } from '../portal/session-store.ts'

export type { SessionTimeouts } from '../portal/session-store.ts'

/** A session as stored. */
interface StaffSessionRecord {
  /** The staff member's handle (`workbench.staff[].id`). */
  staff: string
  csrf: string
  createdAt: number
  lastSeenAt: number
}

/** A session that has not ended. */
export interface LiveStaffSession extends StaffSessionRecord {
  expiresAt: number
}

const enc = new TextEncoder()
const dec = new TextDecoder()
/** Session IDs: base64url of 32 random bytes. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/
const PREFIX = 'session/'
const keyOf = (id: string): string => `${PREFIX}${createHash('sha256').update(id).digest('hex')}`

export class StaffSessionStore {
  private readonly store: Sublevel
  private readonly now: () => number
  private readonly timeouts: SessionTimeouts

  constructor (components: { store: Sublevel, now?: () => number }, timeouts: SessionTimeouts) {
    this.store = components.store
    this.now = components.now ?? Date.now
    this.timeouts = timeouts
  }

  /** Starts a session for a staff member who has just signed in; the ID goes in the cookie only. */
  async create (staff: string): Promise<{ id: string, session: LiveStaffSession }> {
    const id = randomBytes(32).toString('base64url')
    const now = this.now()
    const record: StaffSessionRecord = { staff, csrf: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now }
    await this.store.put(keyOf(id), enc.encode(JSON.stringify(record)))
    return { id, session: { ...record, expiresAt: expiryOf(record, this.timeouts) } }
  }

  /** The live session of an ID (recording its use at most once per touch interval); undefined when unknown, ended or expired. */
  async get (id: string): Promise<LiveStaffSession | undefined> {
    if (!SESSION_ID.test(id)) return undefined
    const key = keyOf(id)
    const bytes = await this.store.get(key)
    if (bytes === undefined) return undefined
    const record = JSON.parse(dec.decode(bytes)) as StaffSessionRecord
    const now = this.now()
    if (now >= expiryOf(record, this.timeouts)) {
      await this.store.del(key)
      return undefined
    }
    if (now - record.lastSeenAt >= touchInterval(this.timeouts)) {
      record.lastSeenAt = now
      await this.store.put(key, enc.encode(JSON.stringify(record)))
    }
    return { ...record, expiresAt: expiryOf(record, this.timeouts) }
  }

  /** Ends a session (sign-out); an unknown one is nothing to end. */
  async end (id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.store.del(keyOf(id))
  }

  /** Deletes every expired session; returns how many. */
  async sweep (): Promise<number> {
    const now = this.now()
    const dead: string[] = []
    for await (const [key, bytes] of this.store.iterator({ gte: PREFIX, lt: `${PREFIX}\xff` })) {
      if (now >= expiryOf(JSON.parse(dec.decode(bytes)) as StaffSessionRecord, this.timeouts)) dead.push(key)
    }
    if (dead.length > 0) await this.store.batch(dead.map((key) => ({ type: 'del' as const, key })))
    return dead.length
  }
}
