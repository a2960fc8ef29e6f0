/**
 * Witness sets (docs/LOG.md §Witness sets): which members witness which member's log, computed
 * from the manifest alone, so that a log, its witnesses and a verifier decades later all agree.
 *
 * With the manifest's `witnessing` policy, a log's witnesses are the `perLog` members of the
 * pool ranked first by SHA-256("lifelong/witness-assignment/v1" ‖ 0x00 ‖ origin ‖ 0x00 ‖ peer ID)
 * (rendezvous hashing: adding or removing one member moves only the logs it ranked for), the
 * log's own member left out. Each member then witnesses about `perLog` logs and gossips with
 * their other witnesses, whatever the federation's size. Without the policy, every other member
 * witnesses (the behaviour before witness sets), and no threshold is implied.
 */
import { createHash } from 'node:crypto'
import type { Manifest, Member } from './manifest.ts'

const LABEL = 'lifelong/witness-assignment/v1'

/**
 * The log origin of a member: `<federation>/log/<peer ID>` (docs/LOG.md §Origins and keys), the
 * peer ID being the member's identity (its first key's), which a key rotation does not change.
 */
export function originOf (federation: string, peerId: string): string {
  return `${federation}/log/${peerId}`
}

function rank (origin: string, peerId: string): Buffer {
  return createHash('sha256').update(LABEL).update(Uint8Array.of(0)).update(origin).update(Uint8Array.of(0)).update(peerId).digest()
}

/** The member one of whose keys (its identity included) has `peerId`. */
export function memberOfPeer (manifest: Manifest, peerId: string): Member | undefined {
  return manifest.members.find((m) => m.peerId === peerId || m.keys.some((k) => k.peerId === peerId))
}

/**
 * The members that witness the log of `logPeerId` (any of its member's keys) under `manifest`,
 * in rank order. Ranked by identities, so that a key rotation moves no log to other witnesses.
 */
export function logWitnesses (manifest: Manifest, logPeerId: string): Member[] {
  const identity = memberOfPeer(manifest, logPeerId)?.identity ?? logPeerId
  const others = manifest.members.filter((m) => m.identity !== identity)
  const policy = manifest.witnessing
  if (policy === undefined) return others
  const pool = policy.pool.length === 0 ? others : others.filter((m) => policy.pool.includes(m.identity))
  const origin = originOf(manifest.federation, identity)
  return pool
    .map((m) => ({ m, r: rank(origin, m.identity) }))
    .sort((a, b) => Buffer.compare(a.r, b.r))
    .slice(0, policy.perLog)
    .map((x) => x.m)
}

/** Whether `witnessPeerId` witnesses the log of `logPeerId` under `manifest`. */
export function isLogWitness (manifest: Manifest, logPeerId: string, witnessPeerId: string): boolean {
  const witness = memberOfPeer(manifest, witnessPeerId)?.identity ?? witnessPeerId
  return logWitnesses(manifest, logPeerId).some((m) => m.identity === witness)
}

/** The cosignatures of its witnesses a checkpoint needs under `manifest` (0 without a policy). */
export function cosignatureThreshold (manifest: Manifest): number {
  return manifest.witnessing?.threshold ?? 0
}

/**
 * The logs `peerId` witnesses under `manifest` (peer IDs of their members). With a policy this
 * is about `perLog` logs; without, every other member's.
 */
export function witnessedLogs (manifest: Manifest, peerId: string): string[] {
  const self = memberOfPeer(manifest, peerId)?.identity ?? peerId
  return manifest.members.filter((m) => m.identity !== self && isLogWitness(manifest, m.peerId, peerId)).map((m) => m.peerId)
}

/** Roles every member may need at any time (registrations, catalogue checks): dialled by all under a witness set. */
const HUB_ROLES = new Set(['index', 'registry'])

/**
 * The members `self` keeps connections to (src/net/host/bootstrap.ts). Without a witness set,
 * every other member, as before. With one, what its background work uses: the witnesses of its
 * own log, the logs it witnesses, the other witnesses of those logs (its gossip peers) and the
 * federation's hubs (the index and the registry); about perLog² + hubs, whatever the
 * federation's size. Anyone else is dialled when a request needs them and not kept for its sake.
 */
export function peersToKeep (manifest: Manifest, self: string): string[] {
  const others = manifest.members.filter((m) => m.peerId !== self)
  if (manifest.witnessing === undefined) return others.map((m) => m.peerId)
  const keep = new Set<string>(logWitnesses(manifest, self).map((m) => m.peerId))
  for (const m of others) {
    const w = logWitnesses(manifest, m.peerId)
    if (!w.some((x) => x.peerId === self)) continue
    keep.add(m.peerId)
    for (const x of w) keep.add(x.peerId)
  }
  for (const m of others) if (m.roles.some((r) => HUB_ROLES.has(r))) keep.add(m.peerId)
  keep.delete(self)
  return [...keep]
}
