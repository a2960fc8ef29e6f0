/**
 * The manifest edits of a failover (docs/OPERATIONS.md §Warm standby and failover), on the JSON
 * form the operator signs. Pure.
 *
 * - {@link addStandby}: a member entry becomes the warm standby of a member of its organisation.
 * - {@link promoteStandby}: serial + 1; the standby is named primary of each of its roles and is
 *   no standby any more; the member it followed stays listed (what it signed keeps verifying
 *   under its key) but fenced, and any other standby of it now follows the promoted member.
 */
import { LifelongError } from '../errors.ts'
import type { ManifestJson } from './manifest.ts'

type MemberJson = ManifestJson['members'][number]

/** Adds `entry` (or turns the member with its peer ID) into a standby of `primary`. */
export function addStandby (manifest: ManifestJson, entry: MemberJson, primary: string, mode: 'synchronous' | 'asynchronous'): ManifestJson {
  const p = manifest.members.find((m) => m.peerId === primary)
  if (p === undefined) throw new LifelongError('not-found', 'REPLICATION_NO_STANDBY', `no member ${primary} in the manifest to follow`)
  const standby: MemberJson = { ...entry, roles: [...p.roles], standbyOf: primary, replication: mode }
  delete standby.fenced
  const members = manifest.members.some((m) => m.peerId === entry.peerId)
    ? manifest.members.map((m) => m.peerId === entry.peerId ? standby : m)
    : [...manifest.members, standby]
  return { ...manifest, serial: manifest.serial + 1, members }
}

/** Promotes the standby `peerId`: the manifest of serial + 1 that names it its roles' primary. */
export function promoteStandby (manifest: ManifestJson, peerId: string): ManifestJson {
  const standby = manifest.members.find((m) => m.peerId === peerId)
  if (standby === undefined || standby.standbyOf === undefined) throw new LifelongError('conflict', 'REPLICATION_NOT_PROMOTABLE', `${peerId} is not a standby in this manifest`)
  const old = standby.standbyOf
  const members = manifest.members.map((m): MemberJson => {
    if (m.peerId === peerId) {
      const promoted = { ...m }
      delete promoted.standbyOf
      delete promoted.replication
      return promoted
    }
    if (m.peerId === old) return { ...m, fenced: true }
    if (m.standbyOf === old) return { ...m, standbyOf: peerId }
    return m
  })
  const primaries = { ...(manifest.primaries ?? {}) }
  for (const role of standby.roles) primaries[role] = peerId
  const { issuedAt: _issued, ...rest } = manifest
  return { ...rest, serial: manifest.serial + 1, members, primaries }
}
