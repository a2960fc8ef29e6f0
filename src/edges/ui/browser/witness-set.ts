/**
 * A log's witnesses under a manifest's witness set, computed in the browser exactly as
 * src/core/federation/witnessing.ts does (docs/LOG.md §Witness sets): the `perLog` members of the
 * pool ranked first by SHA-256("lifelong/witness-assignment/v1" ‖ 0x00 ‖ origin ‖ 0x00 ‖ identity),
 * the log's own member left out; without a policy every other member, and no threshold. Members
 * are named by their identities (their first keys' peer IDs), so a key rotation moves no log.
 */
import { sha256, utf8 } from './bytes.ts'

/** The manifest's witness set and k-of-n threshold (FederationManifest field 6). */
export interface WitnessPolicy {
  /** Identities (base58 peer IDs of the members' first keys); empty: every member. */
  pool: string[]
  perLog: number
  threshold: number
}

const LABEL = 'lifelong/witness-assignment/v1'

function compare (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/** The members that witness the log of the member `logIdentity`, in rank order. */
export async function logWitnesses<M extends { identity: string }> (members: readonly M[], policy: WitnessPolicy | undefined, origin: string, logIdentity: string): Promise<M[]> {
  const others = members.filter((m) => m.identity !== logIdentity)
  if (policy === undefined) return others
  const pool = policy.pool.length === 0 ? others : others.filter((m) => policy.pool.includes(m.identity))
  const ranked = await Promise.all(pool.map(async (m) => ({ m, r: await sha256(utf8(LABEL), Uint8Array.of(0), utf8(origin), Uint8Array.of(0), utf8(m.identity)) })))
  return ranked.sort((a, b) => compare(a.r, b.r)).slice(0, policy.perLog).map((x) => x.m)
}
