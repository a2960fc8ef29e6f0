/**
 * The chain rules of key rotation: the operator key chain (introductions, periods, retirement,
 * succession at a node) and members' key histories (validation, JSON round trip, the rotation
 * helpers), including a property over random rotation schedules.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { generateSigningKey, peerIdFromRawPublicKey, type SigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { generatePqSigningKey } from '../../../../src/core/crypto/ml-dsa.ts'
import { manifestFromJson, manifestToJson, narrowManifest, openManifest, signManifest, type Manifest, type ManifestJson } from '../../../../src/core/federation/manifest.ts'
import { openManifestUnderAnchors, type TrustAnchor } from '../../../../src/core/federation/anchor.ts'
import { assertAdoptable } from '../../../../src/core/federation/operator-keys.ts'
import { nextManifestJson, rotateMemberKey, rotateOperatorKey } from '../../../../src/core/federation/rotation.ts'
import { toLifelongError } from '../../../../src/core/errors.ts'
import { logWitnesses, witnessedLogs } from '../../../../src/core/federation/witnessing.ts'
import { lifelong } from '../../../../src/core/gen/proto.js'

const DAY = 86_400_000
const FED = 'no.lifelong.test'
const T0 = Date.parse('2026-06-01T00:00:00Z')
const peerOf = (k: SigningKey): string => peerIdFromRawPublicKey(k.publicKeyRaw).toString()
const iso = (ms: number): string => new Date(ms).toISOString()

function baseJson (serial = 1, issuedAt = T0, members: SigningKey[] = [generateSigningKey(), generateSigningKey()]): ManifestJson {
  return {
    federation: FED,
    serial,
    issuedAt: iso(issuedAt),
    expiresAt: iso(issuedAt + 400 * DAY),
    members: members.map((k, i) => ({
      peerId: peerOf(k),
      organisationNumber: ['971035854', '974767880'][i % 2] as string,
      name: `member ${i}`,
      roles: ['institution'],
      httpBaseUrl: `https://m${i}.example.no`,
      validFrom: iso(T0 - 100 * DAY),
      validTo: iso(T0 + 3650 * DAY)
    }))
  }
}

/** Signs `json` issued at `at` with `key`. */
const sign = (key: SigningKey, json: ManifestJson, at: number): Uint8Array => signManifest(key, manifestFromJson({ ...json, issuedAt: iso(at) }, at))
const open = (bytes: Uint8Array, pinned: SigningKey[]): Manifest => openManifest(bytes, pinned.map((k) => k.publicKeyRaw), FED).manifest
const code = (f: () => unknown): string | undefined => {
  try {
    f()
    return undefined
  } catch (err) {
    return toLifelongError(err).code
  }
}

/** K0 → K1 at `at`, K0 retired `overlap` later; the rotation manifest signed by K0. */
function rotated (k0: SigningKey, k1: SigningKey, at = T0 + DAY, overlap = 7 * DAY, from: ManifestJson = baseJson()): { json: ManifestJson, bytes: Uint8Array } {
  const json = rotateOperatorKey({ ...from, serial: from.serial + 1 }, { ed25519: k0 }, { ed25519: k1.publicKeyRaw }, { now: at, overlapMs: overlap, since: T0 })
  return { json, bytes: sign(k0, json, at) }
}

describe('operator key chain', () => {
  it('a node or anchor pinning the first key follows the chain to the next; the old key signs until its retirement, then is refused with MANIFEST_SIGNER_RETIRED', () => {
    const k0 = generateSigningKey()
    const k1 = generateSigningKey()
    const before = sign(k0, baseJson(), T0)
    const { json, bytes } = rotated(k0, k1)
    expect(open(bytes, [k0]).operatorKeys).toHaveLength(2)
    // Signed by the next key, carrying the chain: trusted by whoever pinned only K0.
    const byNext = sign(k1, { ...json, serial: 3 }, T0 + 2 * DAY)
    expect(open(byNext, [k0]).serial).toBe(3)
    const anchor: TrustAnchor = { federation: FED, operatorKeys: [k0.publicKeyRaw], validFrom: T0 - DAY, validUntil: T0 + 3650 * DAY }
    expect(openManifestUnderAnchors(byNext, [anchor]).signed.manifest.serial).toBe(3)
    // An anchor pinning only K1 (handed out after the rotation) trusts it too; K0's entry is not needed.
    expect(openManifestUnderAnchors(byNext, [{ ...anchor, operatorKeys: [k1.publicKeyRaw] }]).signed.manifest.serial).toBe(3)
    // During the overlap K0 still signs…
    expect(open(sign(k0, { ...json, serial: 4 }, T0 + 5 * DAY), [k0]).serial).toBe(4)
    // …after it, a manifest signed only by K0 is refused, by nodes and by anchors alike.
    const late = sign(k0, { ...json, serial: 5 }, T0 + 9 * DAY)
    expect(code(() => open(late, [k0]))).toBe('MANIFEST_SIGNER_RETIRED')
    expect(code(() => openManifestUnderAnchors(late, [anchor]))).toBe('MANIFEST_SIGNER_RETIRED')
    // A manifest from before the rotation (no chain) keeps verifying under K0: old bundles keep theirs.
    expect(openManifestUnderAnchors(before, [anchor]).signed.manifest.serial).toBe(1)
  })

  it('a key not introduced by a trusted key is not trusted: forged introductions, a stranger\'s chain', () => {
    const k0 = generateSigningKey()
    const k1 = generateSigningKey()
    const mallory = generateSigningKey()
    // Mallory introduces herself with her own signature: the introducer is not trusted.
    const forged = rotateOperatorKey({ ...baseJson(), serial: 2 }, { ed25519: mallory }, { ed25519: k1.publicKeyRaw }, { now: T0 + DAY, overlapMs: DAY, since: T0 })
    expect(code(() => open(sign(k1, { ...forged, serial: 3 }, T0 + 2 * DAY), [k0]))).toBe('MANIFEST_UNTRUSTED_SIGNER')
    // A genuine chain with one byte of the introduction signature changed.
    const { json } = rotated(k0, k1)
    const tampered = structuredClone(json)
    const sig = Buffer.from(tampered.operatorKeys?.[1]?.introductionSignature ?? '', 'base64')
    sig[0] = (sig[0] ?? 0) ^ 1
    tampered.operatorKeys![1]!.introductionSignature = sig.toString('base64')
    expect(code(() => open(sign(k1, { ...tampered, serial: 3 }, T0 + 2 * DAY), [k0]))).toBe('MANIFEST_UNTRUSTED_SIGNER')
    // A chain that does not list its (pinned) signer is refused.
    expect(code(() => open(sign(mallory, { ...json, serial: 3 }, T0 + 2 * DAY), [k0, mallory]))).toBe('MANIFEST_UNTRUSTED_SIGNER')
  })

  it('a hybrid operator rotates to a hybrid key: the introduction carries both signatures, the next manifest\'s ML-DSA-65 signature is trusted', () => {
    const k0 = generateSigningKey()
    const m0 = generatePqSigningKey()
    const k1 = generateSigningKey()
    const m1 = generatePqSigningKey()
    const json = rotateOperatorKey({ ...baseJson(), serial: 2 }, { ed25519: k0, mlDsa: m0 }, { ed25519: k1.publicKeyRaw, mlDsa: m1.publicKeyRaw }, { now: T0 + DAY, overlapMs: DAY, since: T0 })
    expect(json.operatorKeys?.[1]?.introductionMlDsaSignature).toBeDefined()
    const bytes = signManifest(k1, manifestFromJson({ ...json, serial: 3, issuedAt: iso(T0 + 2 * DAY) }), m1)
    const opened = openManifest(bytes, [k0.publicKeyRaw], FED, [m0.publicKeyRaw])
    expect(Buffer.from(opened.mlDsaSignerKey ?? []).equals(Buffer.from(m1.publicKeyRaw))).toBe(true)
    const anchor: TrustAnchor = { federation: FED, operatorKeys: [k0.publicKeyRaw], operatorMlDsaKeys: [m0.publicKeyRaw], validFrom: T0 - DAY, validUntil: T0 + 3650 * DAY }
    expect(openManifestUnderAnchors(bytes, [anchor], 'both-required').signed.manifest.serial).toBe(3)
    // Pinned without its ML-DSA-65 key, the chain's ML-DSA-65 half rests on nothing post-quantum.
    expect(code(() => openManifestUnderAnchors(bytes, [{ ...anchor, operatorMlDsaKeys: [] }], 'both-required'))).toBe('MANIFEST_HYBRID_SIGNATURE_MISSING')
  })

  it('a node adopts a successor only if it keeps the chain and its signer is not retired at the node\'s clock', () => {
    const k0 = generateSigningKey()
    const k1 = generateSigningKey()
    const { bytes } = rotated(k0, k1, T0 + DAY, 2 * DAY)
    const current = open(bytes, [k0])
    // A leaked K0 signs a manifest that leaves its retirement out (issued "during the overlap").
    const leak = structuredClone(manifestToJson(current)) as ManifestJson
    delete leak.operatorKeys![0]!.validTo
    const leaked = open(sign(k0, { ...leak, serial: 3 }, T0 + 2 * DAY), [k0])
    expect(code(() => assertAdoptable(current.operatorKeys, leaked.operatorKeys, k0.publicKeyRaw, T0 + 10 * DAY))).toBe('MANIFEST_OPERATOR_KEYS_REWRITTEN')
    // The same manifest keeping the retirement, offered after it: retired at the node's clock.
    const kept = open(sign(k0, { ...manifestToJson(current), serial: 3 } as ManifestJson, T0 + 2 * DAY), [k0])
    expect(code(() => assertAdoptable(current.operatorKeys, kept.operatorKeys, k0.publicKeyRaw, T0 + 10 * DAY))).toBe('MANIFEST_SIGNER_RETIRED')
    expect(code(() => assertAdoptable(current.operatorKeys, kept.operatorKeys, k0.publicKeyRaw, T0 + 2 * DAY))).toBeUndefined()
    // Dropping the chain altogether is a rewrite too.
    expect(code(() => assertAdoptable(current.operatorKeys, [], k1.publicKeyRaw, T0 + 2 * DAY))).toBe('MANIFEST_OPERATOR_KEYS_REWRITTEN')
  })

  it('property: along any schedule of rotations, a manifest verifies under the first key iff its signer is in force at its issue time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: 30 }), overlap: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 4 }),
        fc.integer({ min: 0, max: 150 }),
        (steps, pick, day) => {
          const keys = [generateSigningKey(), ...steps.map(() => generateSigningKey())]
          let json: ManifestJson = baseJson()
          let at = T0
          const periods: Array<{ from: number, to: number }> = [{ from: T0, to: Number.MAX_SAFE_INTEGER }]
          steps.forEach((step, i) => {
            at += step.gap * DAY
            json = rotateOperatorKey({ ...json, serial: json.serial + 1 }, { ed25519: keys[i] as SigningKey }, { ed25519: (keys[i + 1] as SigningKey).publicKeyRaw }, { now: at, overlapMs: step.overlap * DAY, since: T0 })
            const p = periods[i] as { from: number, to: number }
            p.to = Math.min(p.to, at + step.overlap * DAY)
            periods.push({ from: at, to: Number.MAX_SAFE_INTEGER })
          })
          const i = pick % keys.length
          const issued = T0 + day * DAY
          const period = periods[i] as { from: number, to: number }
          const expected = issued >= period.from && issued < period.to
          const result = code(() => open(sign(keys[i] as SigningKey, { ...json, serial: json.serial + 1 }, issued), [keys[0] as SigningKey]))
          if (expected) return result === undefined
          return result === (issued < period.from ? 'MANIFEST_SIGNER_NOT_YET_VALID' : 'MANIFEST_SIGNER_RETIRED')
        }
      ),
      { numRuns: 40 }
    )
  })
})

describe('member key history', () => {
  it('a rotated member keeps its identity (first key) and lists each key with its period; JSON round-trips', () => {
    const operator = generateSigningKey()
    const old = generateSigningKey()
    const other = generateSigningKey()
    const current = open(sign(operator, baseJson(1, T0, [old, other]), T0), [operator])
    const next = generateSigningKey()
    const entry = rotateMemberKey(current, peerOf(old), { publicKey: next.publicKeyRaw }, { now: T0 + DAY, overlapMs: DAY })
    const json = nextManifestJson(current, { expiresAt: T0 + 30 * DAY, members: [entry] })
    const m = open(sign(operator, json, T0 + DAY), [operator])
    const member = m.members.find((x) => x.peerId === peerOf(next))
    expect(member?.identity).toBe(peerOf(old))
    expect(member?.keys.map((k) => [k.peerId, k.validFrom, k.validTo])).toEqual([[peerOf(old), T0 - 100 * DAY, T0 + 2 * DAY], [peerOf(next), T0 + DAY, T0 + 3650 * DAY]])
    expect(m.members).toHaveLength(2)
    const again = open(sign(operator, { ...(manifestToJson(m) as ManifestJson), serial: 3 }, T0 + DAY), [operator])
    expect(manifestToJson(again)).toEqual({ ...manifestToJson(m), serial: 3 })
    // Rotating again keeps the whole history and the identity.
    const third = generateSigningKey()
    const entry2 = rotateMemberKey(again, peerOf(next), { publicKey: third.publicKeyRaw }, { now: T0 + 5 * DAY, overlapMs: 0 })
    const m3 = open(sign(operator, nextManifestJson(again, { expiresAt: T0 + 30 * DAY, members: [entry2] }), T0 + 5 * DAY), [operator])
    expect(m3.members.find((x) => x.peerId === peerOf(third))?.identity).toBe(peerOf(old))
    expect(m3.members.find((x) => x.peerId === peerOf(third))?.keys).toHaveLength(3)
    // Only the key in use is rotated from, and a key is never reused.
    expect(code(() => rotateMemberKey(m3, peerOf(old), { publicKey: generateSigningKey().publicKeyRaw }, { now: T0 + 6 * DAY, overlapMs: 0 }))).toBe('MANIFEST_KEY_ROTATION_INVALID')
    expect(code(() => rotateMemberKey(m3, peerOf(third), { publicKey: other.publicKeyRaw }, { now: T0 + 6 * DAY, overlapMs: 0 }))).toBe('MANIFEST_KEY_ROTATION_INVALID')
  })

  it('refuses a history whose last key is not the member\'s, a key listed twice or serving two members, and keys out of order', () => {
    const a = generateSigningKey()
    const b = generateSigningKey()
    const c = generateSigningKey()
    const bytesOf = (k: SigningKey): Uint8Array => peerIdFromRawPublicKey(k.publicKeyRaw).toMultihash().bytes
    const base = manifestFromJson(baseJson(1, T0, [a, b]), T0)
    const withHistory = (history: Array<{ key: SigningKey, from: number, to?: number }>): string[] => {
      const m = lifelong.federation.FederationManifest.create({ ...base, members: base.members.map((x, i) => i === 0 ? { ...x, keyHistory: history.map((h) => ({ peerId: bytesOf(h.key), validFromMs: h.from, validToMs: h.to ?? 0 })) } : x) })
      return narrowManifest(m).fields.map((f) => `${f.path} ${f.message}`)
    }
    expect(withHistory([{ key: c, from: T0 - DAY, to: T0 }, { key: a, from: T0 }])).toEqual([])
    expect(withHistory([{ key: a, from: T0 - DAY, to: T0 }, { key: c, from: T0 }]).join()).toMatch(/keyHistory\/1\/peerId the last key must be/)
    expect(withHistory([{ key: b, from: T0 - DAY, to: T0 }, { key: a, from: T0 }]).join()).toMatch(/listed twice|peerId/)
    expect(withHistory([{ key: c, from: T0, to: T0 + DAY }, { key: a, from: T0 - DAY }]).join()).toMatch(/oldest first/)
    expect(withHistory([{ key: c, from: T0, to: T0 - 1 }, { key: a, from: T0 }]).join()).toMatch(/validTo/)
  })

  it('a rotation moves no log to other witnesses: witness sets are ranked by identity, and any key of a member finds its set', () => {
    const operator = generateSigningKey()
    const keys = Array.from({ length: 8 }, () => generateSigningKey())
    const json = baseJson(1, T0, keys)
    json.members.forEach((m, i) => {
      m.organisationNumber = ['971035854', '974767880', '874789542', '919477822'][i % 4] as string
    })
    const current = open(sign(operator, { ...json, witnessing: { perLog: 3, threshold: 2 } }, T0), [operator])
    const ids = (ms: ReadonlyArray<{ identity: string }>): string[] => ms.map((m) => m.identity)
    const before = new Map(current.members.map((m) => [m.identity, ids(logWitnesses(current, m.peerId))]))
    // The member rotated is one that witnesses some log (with random keys, a member may witness none).
    const rotated = keys.find((k) => witnessedLogs(current, peerOf(k)).length > 0)!
    const next = generateSigningKey()
    const m = open(sign(operator, nextManifestJson(current, { expiresAt: T0 + 30 * DAY, members: [rotateMemberKey(current, peerOf(rotated), { publicKey: next.publicKeyRaw }, { now: T0 + DAY, overlapMs: DAY })] }), T0 + DAY), [operator])
    for (const member of m.members) expect(ids(logWitnesses(m, member.peerId))).toEqual(before.get(member.identity))
    // The rotated member's log, by its old key, its new key or its identity: the same witnesses.
    expect(ids(logWitnesses(m, peerOf(next)))).toEqual(before.get(peerOf(rotated)))
    expect(ids(logWitnesses(m, peerOf(rotated)))).toEqual(before.get(peerOf(rotated)))
    // And what it witnesses is found by either of its keys.
    expect(witnessedLogs(m, peerOf(next)).length).toBeGreaterThan(0)
    expect(witnessedLogs(m, peerOf(next))).toEqual(witnessedLogs(m, peerOf(rotated)))
  })

  it('the witness pool may name a member by any of its keys and is kept by identity', () => {
    const operator = generateSigningKey()
    const keys = [generateSigningKey(), generateSigningKey(), generateSigningKey()]
    const json = { ...baseJson(1, T0, keys), witnessing: { pool: keys.map(peerOf), perLog: 1, threshold: 1 } }
    const current = open(sign(operator, json, T0), [operator])
    const next = generateSigningKey()
    const entry = rotateMemberKey(current, peerOf(keys[0]!), { publicKey: next.publicKeyRaw }, { now: T0 + DAY, overlapMs: DAY })
    const m = open(sign(operator, nextManifestJson(current, { expiresAt: T0 + 30 * DAY, members: [entry] }), T0 + DAY), [operator])
    expect(m.witnessing?.pool).toEqual(keys.map(peerOf))
    expect(m.members[0]?.peerId).toBe(peerOf(next))
  })
})
