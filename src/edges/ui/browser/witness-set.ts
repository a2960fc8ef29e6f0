/**
 * A log's witnesses under a manifest's witness set, computed in the browser exactly as
 * src/core/federation/witnessing.ts does (docs/LOG.md §Witness sets): the `perLog` members of the
 * pool ranked first by SHA-256("lifelong/witness-assignment/v1" ‖ 0x00 ‖ origin ‖ 0x00 ‖ peer ID),
 * the log's own member left out; without a policy every other member, and no threshold.
 */
import { sha256, utf8 } from './bytes.ts'

/** The manifest's witness set and k-of-n threshold (FederationManifest field 6). */
export interface WitnessPolicy {
  /** Base58 peer IDs; empty: every member. */
  pool: string[]
  perLog: number
  threshold: number
}

const LABEL = 'lifelong/witness-assignment/v1'

function compare (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/** The members that witness the log of `logPeerId`, in rank order. */
export async function logWitnesses<M extends { peerId: string }> (members: readonly M[], policy: WitnessPolicy | undefined, origin: string, logPeerId: string): Promise<M[]> {
  const others = members.filter((m) => m.peerId !== logPeerId)
  if (policy === undefined) return others
  const pool = policy.pool.length === 0 ? others : others.filter((m) => policy.pool.includes(m.peerId))
  const ranked = await Promise.all(pool.map(async (m) => ({ m, r: await sha256(utf8(LABEL), Uint8Array.of(0), utf8(origin), Uint8Array.of(0), utf8(m.peerId)) })))
  return ranked.sort((a, b) => compare(a.r, b.r)).slice(0, policy.perLog).map((x) => x.m)
}
