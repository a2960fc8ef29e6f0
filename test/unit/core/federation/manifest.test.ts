import { describe, it, expect } from 'vitest'
import { generateSigningKey, peerIdFromRawPublicKey } from '../../../../src/core/crypto/ed25519.ts'
import { Domains, sealEnvelope } from '../../../../src/core/crypto/envelope.ts'
import { manifestFromJson, manifestToJson, openManifest, signManifest, MANIFEST_PAYLOAD_TYPE, type ManifestJson } from '../../../../src/core/federation/manifest.ts'
import { ValidationError } from '../../../../src/core/errors.ts'
import { lifelong } from '../../../../src/core/gen/proto.js'
import { p256JwkOf } from '../../../../src/core/crypto/p256.ts'
import { generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint } from 'jose'

const operator = generateSigningKey()
const member = (org = '971035854', roles = ['institution']) => ({
  peerId: peerIdFromRawPublicKey(generateSigningKey().publicKeyRaw).toString(),
  organisationNumber: org,
  name: 'Universitetet i Oslo',
  roles,
  multiaddrs: ['/ip4/10.0.0.1/tcp/4001'],
  httpBaseUrl: 'https://lifelong.uio.no/',
  validFrom: '2026-01-01T00:00:00Z',
  validTo: '2027-01-01T00:00:00Z'
})
const json = (): ManifestJson => ({ federation: 'no.lifelong.test', serial: 7, issuedAt: '2026-11-01T00:00:00Z', expiresAt: '2026-12-31T00:00:00Z', members: [member(), member('974767880', ['index', 'portal'])] })

const exportJwkOf = (key: ReturnType<typeof generateKeyPairSync>['publicKey']): unknown => key.export({ format: 'jwk' })

describe('federation manifest', () => {
  it('signs and opens a manifest; the JSON view round-trips', () => {
    const input = json()
    const signed = openManifest(signManifest(operator, manifestFromJson(input)), [operator.publicKeyRaw], 'no.lifelong.test')
    expect(signed.manifest.serial).toBe(7)
    expect(signed.manifest.members[1]?.roles).toEqual(['index', 'portal'])
    expect(signed.manifest.members[0]?.httpBaseUrl).toBe('https://lifelong.uio.no')
    const view = manifestToJson(signed.manifest)
    expect(view.members.map((m) => m.peerId)).toEqual(input.members.map((m) => m.peerId))
    const again = openManifest(signManifest(operator, manifestFromJson(view)), [operator.publicKeyRaw], 'no.lifelong.test')
    expect(manifestToJson(again.manifest)).toEqual(view)
  })

  it('carries a portal\'s credential issuer keys: JWK in JSON, SPKI on the wire, with the RFC 7638 thumbprint as kid; a bad key is a field error', async () => {
    const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = p256JwkOf(issuer.privateKey)
    const input = json()
    input.members[1]!.credentialIssuerKeys = [jwk]
    const signed = openManifest(signManifest(operator, manifestFromJson(input)), [operator.publicKeyRaw], 'no.lifelong.test')
    expect(Buffer.from(signed.manifest.members[1]!.credentialIssuerKeys[0]!)).toEqual(issuer.publicKey.export({ type: 'spki', format: 'der' }))
    expect(signed.manifest.members[0]!.credentialIssuerKeys).toEqual([])
    const view = manifestToJson(signed.manifest)
    // The thumbprint as jose computes it (an independent implementation of RFC 7638).
    expect(view.members[1]!.credentialIssuerKeys).toEqual([{ ...jwk, kid: await calculateJwkThumbprint(jwk, 'sha256') }])
    expect(view.members[0]!.credentialIssuerKeys).toBeUndefined()
    const ed = exportJwkOf(generateKeyPairSync('ed25519').publicKey)
    const bad = json()
    bad.members[1]!.credentialIssuerKeys = [jwk, ed as never, { ...jwk, x: jwk.y }]
    expect(() => manifestFromJson(bad)).toThrow(ValidationError)
    try {
      manifestFromJson(bad)
    } catch (err) {
      expect((err as ValidationError).fields.map((f) => f.path)).toEqual(['/members/1/credentialIssuerKeys/1', '/members/1/credentialIssuerKeys/2'])
    }
  })

  it('reports every bad field of a manifest at once', () => {
    const bad = json()
    bad.serial = 0
    bad.expiresAt = 'tomorrow'
    bad.members[0]!.peerId = 'QmNotAPeer'
    bad.members[0]!.organisationNumber = '123456789'
    bad.members[1]!.roles = ['institution', 'index']
    bad.members[1]!.multiaddrs = ['/ip4/1.2.3.4/tcp/1/p2p/12D3KooWLmFyWYqT2Cg9cpKCs3aqzKkX2BGmnm6y5MGd3tG8bzKQ', 'nonsense']
    bad.members[1]!.httpBaseUrl = 'ftp://example.org'
    try {
      manifestFromJson(bad)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      const paths = (err as ValidationError).fields.map((f) => f.path)
      expect(paths).toEqual(expect.arrayContaining([
        '/serial',
        '/expiresAt',
        '/members/0/peerId',
        '/members/0/organisationNumber',
        '/members/1/roles',
        '/members/1/multiaddrs/0',
        '/members/1/multiaddrs/1',
        '/members/1/httpBaseUrl'
      ]))
    }
  })

  it('refuses a duplicate member', () => {
    const m = json()
    m.members.push(m.members[0]!)
    expect(() => manifestFromJson(m)).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }))
  })

  it('gives each way of failing to open its own code', () => {
    const bytes = signManifest(operator, manifestFromJson(json()))
    const other = generateSigningKey()
    expect(() => openManifest(bytes, [other.publicKeyRaw], 'no.lifelong.test')).toThrow(expect.objectContaining({ code: 'MANIFEST_UNTRUSTED_SIGNER' }))
    expect(() => openManifest(bytes, [operator.publicKeyRaw], 'no.lifelong.prod')).toThrow(expect.objectContaining({ code: 'MANIFEST_WRONG_FEDERATION' }))
    expect(() => openManifest(Uint8Array.of(1, 2, 3), [operator.publicKeyRaw], 'no.lifelong.test')).toThrow(expect.objectContaining({ code: 'MANIFEST_MALFORMED' }))
    const tampered = new Uint8Array(bytes)
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1
    expect(() => openManifest(tampered, [operator.publicKeyRaw], 'no.lifelong.test')).toThrow(expect.objectContaining({ code: 'MANIFEST_BAD_SIGNATURE' }))
    // A valid signature by the operator over something that is not a manifest.
    const junk = sealEnvelope(operator, Domains.manifest, MANIFEST_PAYLOAD_TYPE, Uint8Array.of(0x0a, 0xff))
    expect(() => openManifest(junk, [operator.publicKeyRaw], 'no.lifelong.test')).toThrow(expect.objectContaining({ code: 'MANIFEST_MALFORMED' }))
    // The operator's signature on a request is not a manifest signature.
    const request = sealEnvelope(operator, Domains.request, MANIFEST_PAYLOAD_TYPE, lifelong.federation.FederationManifest.encode(manifestFromJson(json())).finish())
    expect(() => openManifest(request, [operator.publicKeyRaw], 'no.lifelong.test')).toThrow(expect.objectContaining({ code: 'MANIFEST_BAD_SIGNATURE' }))
  })
})
