/**
 * Discovery over the federation's private DHT: a node announces that it provides something
 * (a catalogue, an offering, a service) and others find the members that do. Keys are
 * namespaced names hashed into CIDs; they must never contain personal data (a learner's
 * sources are found through the index, never through the DHT).
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { LifelongError } from '../../core/errors.ts'
import type { Federation } from '../federation/federation.ts'
import type { Host } from './host.ts'

const NAME_PATTERN = /^[a-z][a-z0-9-]*(\/[A-Za-z0-9._-]+)+$/

/** The CID a discovery name is announced under. Pure. */
export async function discoveryKey (name: string): Promise<CID> {
  if (!NAME_PATTERN.test(name) || name.length > 200) {
    throw new LifelongError('invalid', 'P2P_DISCOVERY_NAME_INVALID', 'a discovery name is "<namespace>/<part>[/<part>…]" of letters, digits, . _ -')
  }
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`lifelong/discovery/v1/${name}`)))
}

export interface DiscoveryComponents {
  host: Host
  federation: Federation
}

export class Discovery {
  private readonly c: DiscoveryComponents

  constructor (components: DiscoveryComponents) {
    this.c = components
  }

  /** Announces that this node provides `name`. */
  async provide (name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const key = await discoveryKey(name)
    const signal = options.signal ?? AbortSignal.timeout(30_000)
    for await (const _event of this.c.host.services.dht.provide(key, { signal })) { /* drain */ }
  }

  /** The active members that announced `name` (only members: the DHT may hold stale entries). */
  async findProviders (name: string, options: { signal?: AbortSignal, limit?: number } = {}): Promise<string[]> {
    const key = await discoveryKey(name)
    const signal = options.signal ?? AbortSignal.timeout(30_000)
    const found = new Set<string>()
    for await (const event of this.c.host.services.dht.findProviders(key, { signal })) {
      if (event.name !== 'PROVIDER') continue
      for (const p of event.providers) {
        const id = p.id.toString()
        if (this.c.federation.activeMember(id) !== undefined) found.add(id)
      }
      if (options.limit !== undefined && found.size >= options.limit) break
    }
    return [...found]
  }
}
