/**
 * The federation trust anchor: its document (every bad field reported, canonical form and
 * fingerprint independent of key order and whitespace) and opening a signed manifest under
 * pinned anchors, with one refusal per reason.
 */
import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { formatPublicKey, generateSigningKey, peerIdFromRawPublicKey } from '../../../../src/core/crypto/ed25519.ts'
import {
  openManifestUnderAnchors,
  operatorKeyAnchor,
  parseTrustAnchor,
  serialiseTrustAnchor,
  trustAnchorFingerprint,
  type TrustAnchor
} from '../../../../src/core/federation/anchor.ts'
import { manifestFromJson, signManifest } from '../../../../src/core/federation/manifest.ts'
import { isLifelongError, ValidationError } from '../../../../src/core/errors.ts'

const DAY = 86_400_000
const operator = generateSigningKey()
const next = generateSigningKey()
const T = Date.parse('2026-06-01T00:00:00Z')

function manifest (key = operator, federation = 'no.lifelong.test', issuedAt = T): Uint8Array {
  return signManifest(
    key,
    manifestFromJson({
      federation,
      serial: 3,
      issuedAt: new Date(issuedAt).toISOString(),
      expiresAt: new Date(issuedAt + 30 * DAY).toISOString(),
      members: [{
        peerId: peerIdFromRawPublicKey(generateSigningKey().publicKeyRaw).toString(),
        organisationNumber: '971035854',
        name: 'UiO',
        roles: ['institution'],
        httpBaseUrl: 'https://lifelong.uio.no',
        validFrom: new Date(T - DAY).toISOString(),
        validTo: new Date(T + 365 * DAY).toISOString()
      }]
    }, issuedAt)
  )
}

const anchor: TrustAnchor = { federation: 'no.lifelong.test', operatorKeys: [operator.publicKeyRaw, next.publicKeyRaw], validFrom: T - 365 * DAY, validUntil: T + 365 * DAY }

describe('federation trust anchor', () => {
  it('round-trips through its canonical document; the fingerprint is the SHA-256 of that document, whatever the key order or layout', () => {
    const text = serialiseTrustAnchor(anchor)
    expect(JSON.parse(text)).toEqual({
      format: 'lifelong-trust-anchor/v1',
      federation: 'no.lifelong.test',
      operatorKeys: [formatPublicKey(operator.publicKeyRaw), formatPublicKey(next.publicKeyRaw)].sort(),
      validFrom: '2025-06-01T00:00:00.000Z',
      validUntil: '2027-06-01T00:00:00.000Z'
    })
    expect(trustAnchorFingerprint(anchor)).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`)
    const reordered = JSON.stringify({ ...JSON.parse(text), operatorKeys: [...JSON.parse(text).operatorKeys].reverse() })
    expect(trustAnchorFingerprint(parseTrustAnchor(reordered))).toBe(trustAnchorFingerprint(anchor))
    expect(serialiseTrustAnchor(parseTrustAnchor(text))).toBe(text)
  })

  it('reports every bad field at once', () => {
    const bad = {
      format: 'lifelong-trust-anchor/v2',
      federation: 'No Such',
      operatorKeys: [formatPublicKey(operator.publicKeyRaw), 'ed25519:nope', formatPublicKey(operator.publicKeyRaw)],
      validFrom: '2026-06-01T00:00:00Z',
      validUntil: '2026-01-01T00:00:00Z'
    }
    try {
      parseTrustAnchor(JSON.stringify(bad))
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).code).toBe('TRUST_ANCHOR_INVALID')
      expect((err as ValidationError).fields.map((f) => f.path)).toEqual(['/format', '/federation', '/operatorKeys/1', '/operatorKeys/2', '/validUntil'])
    }
    expect(() => parseTrustAnchor('not json')).toThrow(/not JSON/)
    expect(() => parseTrustAnchor(JSON.stringify({ ...JSON.parse(serialiseTrustAnchor(anchor)), operatorKeys: [] }))).toThrow(/operatorKeys must list/)
    let tooLarge: unknown
    try {
      parseTrustAnchor(' '.repeat(70_000))
    } catch (err) {
      tooLarge = err
    }
    expect(isLifelongError(tooLarge, 'TRUST_ANCHOR_TOO_LARGE')).toBe(true)
  })

  it('opens a manifest signed by an operator key of the anchor, issued within its validity; refuses every other', () => {
    expect(openManifestUnderAnchors(manifest(), [anchor]).signed.manifest.serial).toBe(3)
    expect(openManifestUnderAnchors(manifest(next), [anchor]).anchor).toBe(anchor)
    const refused = (bytes: Uint8Array, anchors: TrustAnchor[]): string => {
      try {
        openManifestUnderAnchors(bytes, anchors)
        return 'accepted'
      } catch (err) {
        return isLifelongError(err) ? err.code : String(err)
      }
    }
    // A rogue operator signing a manifest of the same federation.
    expect(refused(manifest(generateSigningKey()), [anchor])).toBe('TRUST_ANCHOR_UNTRUSTED_SIGNER')
    // The right operator, but a federation no anchor is pinned for.
    expect(refused(manifest(operator, 'no.lifelong.other'), [anchor])).toBe('TRUST_ANCHOR_OTHER_FEDERATION')
    // Issued after the anchor's validity (or before it).
    expect(refused(manifest(operator, 'no.lifelong.test', T + 400 * DAY), [anchor])).toBe('TRUST_ANCHOR_OUTSIDE_VALIDITY')
    expect(refused(manifest(operator, 'no.lifelong.test', T - 400 * DAY), [anchor])).toBe('TRUST_ANCHOR_OUTSIDE_VALIDITY')
    // A signature that does not verify, and bytes that are not a manifest.
    const flipped = manifest()
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 1
    expect(refused(flipped, [anchor])).toMatch(/MANIFEST_BAD_SIGNATURE|MANIFEST_MALFORMED/)
    expect(refused(new Uint8Array([1, 2, 3]), [anchor])).toBe('MANIFEST_MALFORMED')
    expect(refused(manifest(), [])).toBe('TRUST_ANCHOR_OTHER_FEDERATION')
    // An explicit operator key vouches for any federation it signs, at any time.
    expect(openManifestUnderAnchors(manifest(operator, 'no.lifelong.other', T + 4000 * DAY), [operatorKeyAnchor([operator.publicKeyRaw])]).signed.manifest.federation).toBe('no.lifelong.other')
  })
})
