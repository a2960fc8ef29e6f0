/**
 * The witness assignment of the manifest in force, computed once per manifest (docs/LOG.md
 * §Witness sets): whose logs this node witnesses, who witnesses its own log, and whom it gossips
 * with. Without a `witnessing` policy in the manifest, `policy` is undefined and callers keep
 * the behaviour before witness sets (every member, `log.witness` from the config).
 */
import type { Manifest, WitnessPolicy } from '../../core/federation/manifest.ts'
import { logWitnesses, memberOfPeer } from '../../core/federation/witnessing.ts'

export interface Assignment {
  readonly policy?: WitnessPolicy
  /** Peer IDs of the witnesses of `logPeerId`'s log. */
  witnessesOf: (logPeerId: string) => readonly string[]
  /** Peer IDs of the logs this node witnesses. */
  readonly witnessed: ReadonlySet<string>
  /**
   * With a policy, whom this node gossips with: the other witnesses of every log it witnesses
   * and the witnesses of its own log. Bounded by about perLog² whatever the federation's size.
   */
  readonly gossipPeers: readonly string[]
}

/** Computes (and caches per manifest object) the assignment for `self`. */
export function assignmentCache (self: string): (manifest: Manifest) => Assignment {
  let last: { manifest: Manifest, assignment: Assignment } | undefined
  return (manifest) => {
    if (last?.manifest === manifest) return last.assignment
    // This node by identity (it may run with a key the manifest lists as previous, until it restarts).
    const selfMember = memberOfPeer(manifest, self)
    const selfIdentity = selfMember?.identity ?? self
    const selfCurrent = selfMember?.peerId ?? self
    const byLog = new Map<string, readonly string[]>()
    const witnessesOf = (logPeerId: string): readonly string[] => {
      let w = byLog.get(logPeerId)
      if (w === undefined) {
        w = logWitnesses(manifest, logPeerId).map((m) => m.peerId)
        byLog.set(logPeerId, w)
      }
      return w
    }
    const witnessed = new Set<string>()
    const peers = new Set<string>()
    if (manifest.witnessing !== undefined) {
      for (const m of manifest.members) {
        if (m.identity === selfIdentity) continue
        const w = witnessesOf(m.peerId)
        if (w.includes(selfCurrent)) {
          witnessed.add(m.peerId)
          for (const p of w) peers.add(p)
        }
      }
      for (const p of witnessesOf(selfCurrent)) peers.add(p)
      peers.delete(selfCurrent)
    }
    const assignment: Assignment = {
      ...(manifest.witnessing === undefined ? {} : { policy: manifest.witnessing }),
      witnessesOf,
      witnessed,
      gossipPeers: [...peers]
    }
    last = { manifest, assignment }
    return assignment
  }
}
