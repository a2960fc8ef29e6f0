/**
 * Single-use identifiers within a window: the `jti` of DPoP proofs (RFC 9449 §11.1) and of
 * client attestation PoPs (ABCA-07 §12.1). Kept in the store with an expiry (so a restart does
 * not reopen the window) and pruned with the issuer's other short-lived records.
 */
import { KeyedMutex } from '../../../core/sync/mutex.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import { expiryKey, jtiKey } from './keys.ts'
import { EMPTY } from './records.ts'

export class ReplayStore {
  private readonly store: Sublevel
  private readonly now: () => number
  /** Serialises check-and-set per identifier, so two requests with one jti cannot both pass. */
  private readonly checks = new KeyedMutex()

  constructor (store: Sublevel, now: () => number) {
    this.store = store
    this.now = now
  }

  /** True the first time `(scope, jti)` is seen before `until` (Unix ms); false for a replay. */
  async firstUse (scope: string, jti: string, until: number): Promise<boolean> {
    const key = jtiKey(scope, jti)
    return await this.checks.run(key, async () => {
      const seen = await this.store.get(key)
      if (seen !== undefined && Number(new TextDecoder().decode(seen)) > this.now()) return false
      const expires = Math.max(until, this.now() + 1000)
      await this.store.batch([
        { type: 'put', key, value: new TextEncoder().encode(String(expires)) },
        { type: 'put', key: expiryKey(expires, key), value: EMPTY }
      ])
      return true
    })
  }
}
