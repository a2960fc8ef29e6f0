/**
 * A cached lookup of offerings at the registry over the catalogue protocol, for other registries
 * on other nodes (results, issue 6: "is this result's offering real, who owns it, who was the
 * issuer on the result's date"). Answers are cached per (ID, date) for a while; a missing
 * offering is cached too (shorter), so a flood of bad IDs does not reach the registry.
 */
import type { Federation } from '../../../net/federation/federation.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import { isLifelongError } from '../../../core/errors.ts'
import { eqfLevelOf } from './codes.ts'
import { EducationCodes as C, educationError, NO_REGISTRY_MESSAGE } from './errors.ts'
import { institutionFromProto, offeringVersionFromProto, type Institution, type OfferingVersion } from './model.ts'
import { GetOffering } from './protocol.ts'

export interface OfferingLookupComponents {
  client: RpcClient
  federation: Federation
  now?: () => number
}

export interface OfferingLookupInit {
  ttlMs?: number
  notFoundTtlMs?: number
  maxEntries?: number
}

export interface OfferingFacts {
  version: OfferingVersion
  eqfLevel: number | null
  /** The owner today (after mergers). */
  currentOwner: Institution | undefined
  /** The owner on the date asked: the issuer of a result of that date. */
  issuer: Institution | undefined
}

export class OfferingLookup {
  private readonly c: OfferingLookupComponents
  private readonly ttl: number
  private readonly notFoundTtl: number
  private readonly max: number
  private readonly cache = new Map<string, { at: number, value: OfferingFacts | undefined }>()

  constructor (components: OfferingLookupComponents, init: OfferingLookupInit = {}) {
    this.c = components
    this.ttl = init.ttlMs ?? 10 * 60_000
    this.notFoundTtl = init.notFoundTtlMs ?? 60_000
    this.max = init.maxEntries ?? 50_000
  }

  /** The offering in force on `date` (YYYY-MM-DD), or undefined if the registry has none. */
  async find (id: string, date: string): Promise<OfferingFacts | undefined> {
    const now = (this.c.now ?? Date.now)()
    const key = `${id}@${date}`
    const hit = this.cache.get(key)
    if (hit !== undefined && now - hit.at < (hit.value === undefined ? this.notFoundTtl : this.ttl)) return hit.value
    const registry = this.c.federation.membersWithRole('registry')[0]
    if (registry === undefined) throw educationError('unavailable', C.registryUnavailable, NO_REGISTRY_MESSAGE)
    let value: OfferingFacts | undefined
    try {
      const res = await this.c.client.call(registry.peerId, GetOffering, { id, asOf: date })
      const version = offeringVersionFromProto(res.version ?? {})
      value = {
        version,
        eqfLevel: eqfLevelOf(version.offering.nkrLevel) ?? null,
        currentOwner: res.currentOwner == null ? undefined : institutionFromProto(res.currentOwner),
        issuer: res.issuer == null ? undefined : institutionFromProto(res.issuer)
      }
    } catch (err) {
      if (!isLifelongError(err, C.unknownOffering)) throw err
      value = undefined
    }
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value as string)
    this.cache.set(key, { at: now, value })
    return value
  }

  /** Like {@link find}, but a missing offering is an error EDUCATION_UNKNOWN_OFFERING. */
  async get (id: string, date: string): Promise<OfferingFacts> {
    const v = await this.find(id, date)
    if (v === undefined) throw educationError('not-found', C.unknownOffering, `the registry has no offering ${id} in force on ${date}`)
    return v
  }
}
