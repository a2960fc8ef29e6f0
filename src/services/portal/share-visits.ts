/**
 * Visits of an opened share: after the recipient enters the right code, the browser holds a
 * random visit token (an HttpOnly cookie for that share's path) and the portal keeps what it
 * showed, so that reloading the page, going back to it or downloading the proof and the PDF
 * within the visit is the same opening — counted once, fetched from the sources once, logged
 * once — and not a new use of a share the learner limited to a number of openings.
 *
 * Kept in memory only, for a short time and in a bounded number (the oldest visit goes first):
 * nothing of a visit is written, and a restart ends every visit (the recipient enters the code
 * again, which is a new opening). The tokens are compared as keys of a map of random 32-byte
 * values, so guessing one is as hard as guessing the code and then some.
 */
import { randomBytes } from 'node:crypto'

export interface ShareVisitsInit {
  /** How long a visit lasts after the code was entered. */
  ttlMs: number
  /** Most visits kept at once. */
  max: number
}

interface Visit<V> {
  shareId: string
  expiresAt: number
  view: V
}

export class ShareVisits<V> {
  private readonly init: ShareVisitsInit
  private readonly now: () => number
  private readonly visits = new Map<string, Visit<V>>()

  constructor (init: ShareVisitsInit, now: () => number = Date.now) {
    this.init = init
    this.now = now
  }

  /** Starts a visit of an opened share; returns its token (for the browser's cookie). */
  start (shareId: string, view: V): string {
    this.sweep()
    while (this.visits.size >= this.init.max) this.visits.delete(this.visits.keys().next().value as string)
    const token = randomBytes(32).toString('base64url')
    this.visits.set(token, { shareId, expiresAt: this.now() + this.init.ttlMs, view })
    return token
  }

  /** The view of a visit of this share, if the token names one that has not ended. */
  get (shareId: string, token: string | undefined): V | undefined {
    if (token === undefined || token === '') return undefined
    const visit = this.visits.get(token)
    if (visit === undefined || visit.shareId !== shareId) return undefined
    if (visit.expiresAt <= this.now()) {
      this.visits.delete(token)
      return undefined
    }
    return visit.view
  }

  /** Ends every visit of a share (it was revoked). */
  endShare (shareId: string): void {
    for (const [token, v] of this.visits) if (v.shareId === shareId) this.visits.delete(token)
  }

  /** How many visits are kept (for tests and metrics). */
  get size (): number {
    return this.visits.size
  }

  private sweep (): void {
    const now = this.now()
    for (const [token, v] of this.visits) if (v.expiresAt <= now) this.visits.delete(token)
  }
}
