import { describe, it, expect } from 'vitest'
import { generateSigningKey, peerIdFromRawPublicKey } from '../../../../src/core/crypto/ed25519.ts'
import { manifestFromJson, manifestToJson, narrowManifest, type ManifestJson } from '../../../../src/core/federation/manifest.ts'
import { cosignatureThreshold, isLogWitness, logWitnesses, peersToKeep, witnessedLogs } from '../../../../src/core/federation/witnessing.ts'
import { ValidationError } from '../../../../src/core/errors.ts'

const member = (i: number): ManifestJson['members'][number] => ({
  peerId: peerIdFromRawPublicKey(generateSigningKey().publicKeyRaw).toString(),
  organisationNumber: '971035854',
  name: `Member ${i}`,
  roles: ['institution'],
  httpBaseUrl: `https://m${i}.example/`,
  validFrom: '2026-01-01T00:00:00Z',
  validTo: '2027-01-01T00:00:00Z'
})
const json = (n: number, witnessing?: ManifestJson['witnessing']): ManifestJson => ({
  federation: 'no.lifelong.test',
  serial: 1,
  issuedAt: '2026-11-01T00:00:00Z',
  expiresAt: '2026-12-31T00:00:00Z',
  members: Array.from({ length: n }, (_, i) => member(i)),
  ...(witnessing === undefined ? {} : { witnessing })
})
const manifestOf = (j: ManifestJson) => narrowManifest(manifestFromJson(j)).manifest!

describe('witness sets', () => {
  it('gives every log perLog witnesses other than itself, the same for everyone, and each member about perLog logs', () => {
    const m = manifestOf(json(200, { perLog: 5, threshold: 3 }))
    const counts = new Map<string, number>()
    for (const log of m.members) {
      const w = logWitnesses(m, log.peerId)
      expect(w).toHaveLength(5)
      expect(w.some(x => x.peerId === log.peerId)).toBe(false)
      expect(logWitnesses(m, log.peerId).map(x => x.peerId)).toEqual(w.map(x => x.peerId))
      for (const x of w) counts.set(x.peerId, (counts.get(x.peerId) ?? 0) + 1)
    }
    // 1000 assignments over 200 members: about 5 each, none near n.
    expect(Math.max(...counts.values())).toBeLessThan(20)
    const some = m.members[7]!.peerId
    expect(witnessedLogs(m, some).every(l => isLogWitness(m, l, some))).toBe(true)
    expect(cosignatureThreshold(m)).toBe(3)
  })

  it('keeps every other member as a witness without a policy', () => {
    const m = manifestOf(json(4))
    expect(logWitnesses(m, m.members[0]!.peerId)).toHaveLength(3)
    expect(cosignatureThreshold(m)).toBe(0)
  })

  it('restricts witnesses to the pool and round-trips through JSON', () => {
    const j = json(6)
    const pool = [j.members[1]!.peerId, j.members[2]!.peerId, j.members[3]!.peerId]
    const m = manifestOf({ ...j, witnessing: { pool, perLog: 2, threshold: 2 } })
    for (const log of m.members) expect(logWitnesses(m, log.peerId).every(w => pool.includes(w.peerId))).toBe(true)
    expect(manifestToJson(m).witnessing).toEqual({ pool, perLog: 2, threshold: 2 })
  })

  it('refuses a policy that cannot be met, reporting every bad field', () => {
    const j = json(3)
    try {
      manifestFromJson({ ...j, witnessing: { pool: [j.members[0]!.peerId, peerIdFromRawPublicKey(generateSigningKey().publicKeyRaw).toString()], perLog: 2, threshold: 3 } })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      const paths = (err as ValidationError).fields.map(f => f.path)
      expect(paths).toEqual(expect.arrayContaining(['/witnessing/threshold', '/witnessing/pool/1']))
    }
    expect(() => manifestFromJson({ ...j, witnessing: { perLog: 3, threshold: 1 } })).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }))
  })

  it('keeps connections to a bounded set under a witness set: the log\'s witnesses, the logs witnessed, their co-witnesses and the hubs; every member without one', () => {
    const j = json(200, { perLog: 4, threshold: 3 })
    j.members[0]!.roles = ['index', 'registry', 'portal']
    const m = manifestOf(j)
    const hub = m.members[0]!.peerId
    const witnessesOf = new Map(m.members.map((l) => [l.peerId, logWitnesses(m, l.peerId).map((w) => w.peerId)]))
    // A sample of members (each call ranks every member for every log: O(n²) hashes).
    const sizes = m.members.slice(1, 9).map((x) => {
      const keep = new Set(peersToKeep(m, x.peerId))
      expect(keep.has(x.peerId)).toBe(false)
      expect(keep.has(hub)).toBe(true)
      // Everyone its background work talks to is kept: its log's witnesses, every log it witnesses and that log's other witnesses.
      for (const w of witnessesOf.get(x.peerId)!) expect(keep.has(w)).toBe(true)
      for (const [l, ws] of witnessesOf) {
        if (!ws.includes(x.peerId)) continue
        expect(keep.has(l)).toBe(true)
        for (const w of ws) if (w !== x.peerId) expect(keep.has(w)).toBe(true)
      }
      return keep.size
    })
    // About perLog + perLog × perLog + hubs, far below n − 1 = 199.
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeLessThan(30)
    expect(Math.max(...sizes)).toBeLessThan(60)
    const plain = manifestOf(json(10))
    expect(peersToKeep(plain, plain.members[3]!.peerId)).toHaveLength(9)
  })
})
