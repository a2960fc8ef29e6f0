/**
 * Warm standby in the manifest: who acts for a role, a standby's constraints, and the manifest
 * edits of a failover (core/federation/primaries.ts, promote.ts).
 */
import { describe, it, expect } from 'vitest'
import { generateSigningKey, peerIdFromRawPublicKey } from '../../../../src/core/crypto/ed25519.ts'
import { manifestFromJson, manifestToJson, openManifest, signManifest, type ManifestJson } from '../../../../src/core/federation/manifest.ts'
import { actingFor, fencedReason, standbysOf } from '../../../../src/core/federation/primaries.ts'
import { addStandby, promoteStandby } from '../../../../src/core/federation/promote.ts'

const operator = generateSigningKey()
const member = (org: string, roles: string[]): ManifestJson['members'][number] => ({
  peerId: peerIdFromRawPublicKey(generateSigningKey().publicKeyRaw).toString(),
  organisationNumber: org,
  name: 'member',
  roles,
  multiaddrs: [],
  httpBaseUrl: 'https://node.example',
  validFrom: '2026-01-01T00:00:00Z',
  validTo: '2027-01-01T00:00:00Z'
})
const national = member('919477822', ['index', 'registry'])
const uio = member('971035854', ['institution'])
const base: ManifestJson = { federation: 'no.lifelong.test', serial: 7, issuedAt: '2026-11-01T00:00:00Z', expiresAt: '2026-12-31T00:00:00Z', members: [national, uio] }
const open = (json: ManifestJson) => openManifest(signManifest(operator, manifestFromJson(json)), [operator.publicKeyRaw], 'no.lifelong.test').manifest

describe('warm standby in the manifest', () => {
  it('a standby acts for no role until promoted; the promoted one acts, the old primary is fenced and stays listed', () => {
    const standbyEntry = member('919477822', [])
    const withStandby = addStandby(base, standbyEntry, national.peerId, 'synchronous')
    expect(withStandby.serial).toBe(8)
    const m = open(withStandby)
    expect(standbysOf(m, national.peerId).map((s) => [s.peerId, s.replication])).toEqual([[standbyEntry.peerId, 'synchronous']])
    expect(actingFor(m, m.members, 'index').map((x) => x.peerId)).toEqual([national.peerId])
    expect(fencedReason(m, national.peerId)).toBeUndefined()

    const promoted = promoteStandby(manifestToJson(m), standbyEntry.peerId)
    expect(promoted.serial).toBe(9)
    const p = open(promoted)
    expect(actingFor(p, p.members, 'index').map((x) => x.peerId)).toEqual([standbyEntry.peerId])
    expect(actingFor(p, p.members, 'registry').map((x) => x.peerId)).toEqual([standbyEntry.peerId])
    expect(p.members.find((x) => x.peerId === national.peerId)?.fenced).toBe(true)
    expect(fencedReason(p, national.peerId)).toMatch(/fenced/)
    expect(fencedReason(p, standbyEntry.peerId)).toBeUndefined()
    expect(() => promoteStandby(promoted, standbyEntry.peerId)).toThrow(expect.objectContaining({ code: 'REPLICATION_NOT_PROMOTABLE' }))
  })

  it('refuses a standby of another organisation, of itself, of a standby, and a primary that is fenced or lacks the role', () => {
    const other = addStandby(base, member('971035854', []), national.peerId, 'asynchronous')
    expect(() => manifestFromJson(other)).toThrow(/standbyOf a standby follows a member of its own organisation/)
    const standbyEntry = member('919477822', [])
    const ok = addStandby(base, standbyEntry, national.peerId, 'asynchronous')
    const chained = addStandby(ok, member('919477822', []), standbyEntry.peerId, 'asynchronous')
    expect(() => manifestFromJson(chained)).toThrow(/not a standby itself/)
    expect(() => manifestFromJson({ ...base, primaries: { index: uio.peerId } })).toThrow(/does not have the role index/)
    expect(() => manifestFromJson({ ...base, members: [{ ...national, fenced: true }, uio], primaries: { index: national.peerId } })).toThrow(/fenced member does not act/)
    expect(() => manifestFromJson({ ...base, members: [{ ...national, replication: 'synchronous' }, uio] })).toThrow(/only a standby has a replication mode/)
  })
})
