/**
 * Who acts for a role under a manifest (docs/OPERATIONS.md §Warm standby and failover). Pure.
 * The member the manifest names for the role (a promoted standby), else every member listing the
 * role that is neither a standby nor fenced. Members, the portal and the CLI resolve the index
 * and the registry through this, so a promotion (a manifest of serial + 1) moves them all.
 */
import type { Manifest, Member } from './manifest.ts'
import type { Role } from './roles.ts'

/** The members that act for `role` among `members` (the valid ones, say), in manifest order. */
export function actingFor (manifest: Pick<Manifest, 'primaries'>, members: readonly Member[], role: Role): Member[] {
  const named = manifest.primaries?.[role]
  if (named !== undefined) return members.filter((m) => m.peerId === named)
  return members.filter((m) => m.roles.includes(role) && m.standbyOf === undefined && m.fenced !== true)
}

/** The standbys that follow `peerId`. */
export function standbysOf (manifest: Pick<Manifest, 'members'>, peerId: string): Member[] {
  return manifest.members.filter((m) => m.standbyOf === peerId)
}

/**
 * Why `peerId` must not act as primary under `manifest`, if it must not: it is fenced, a standby,
 * or another member is named for one of its roles.
 */
export function fencedReason (manifest: Pick<Manifest, 'members' | 'primaries'>, peerId: string): string | undefined {
  const self = manifest.members.find((m) => m.peerId === peerId)
  if (self === undefined) return undefined
  if (self.fenced === true) return 'the manifest marks this member fenced'
  for (const role of self.roles) {
    const named = manifest.primaries?.[role]
    if (named !== undefined && named !== peerId) return `the manifest names ${named} as the ${role}'s primary`
  }
  return undefined
}
