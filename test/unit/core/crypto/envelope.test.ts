import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { Domains, decodeEnvelope, openEnvelope, sealEnvelope, signedData } from '../../../../src/core/crypto/envelope.ts'
import { decodePeerIdBytes, generateSigningKey, parsePublicKey, formatPublicKey, peerIdFromRawPublicKey, signBytes, verifyBytes } from '../../../../src/core/crypto/ed25519.ts'
import { lifelong } from '../../../../src/core/gen/proto.js'

const key = generateSigningKey()

describe('signed envelopes', () => {
  it('encodes the signed data as length-prefixed domain, type and payload', () => {
    const data = signedData('d', 'tt', Uint8Array.of(9, 9, 9))
    expect([...data]).toEqual([1, 0x64, 2, 0x74, 0x74, 3, 9, 9, 9])
    // A length over 127 takes a two-byte uvarint.
    const long = signedData('d', 't', new Uint8Array(200))
    expect([...long.subarray(4, 6)]).toEqual([0xc8, 0x01])
  })

  it('opens what it sealed, with the exact payload bytes', () => {
    const payload = Uint8Array.of(1, 2, 3)
    const opened = openEnvelope(sealEnvelope(key, Domains.request, 'lifelong.test', payload), Domains.request, 'lifelong.test')
    expect([...opened.payload]).toEqual([1, 2, 3])
    expect(Buffer.compare(opened.publicKey, key.publicKeyRaw)).toBe(0)
  })

  it('refuses a signature made for another domain', () => {
    const bytes = sealEnvelope(key, Domains.manifest, 't', Uint8Array.of(1))
    expect(() => openEnvelope(bytes, Domains.request)).toThrow(expect.objectContaining({ code: 'ENVELOPE_BAD_SIGNATURE' }))
  })

  it('refuses the wrong payload type', () => {
    const bytes = sealEnvelope(key, Domains.request, 'a', Uint8Array.of(1))
    expect(() => openEnvelope(bytes, Domains.request, 'b')).toThrow(expect.objectContaining({ code: 'ENVELOPE_WRONG_TYPE' }))
  })

  it('refuses any change to type, payload, key or signature', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.nat(3), fc.nat(), (payload, field, at) => {
      const env = lifelong.envelope.SignedEnvelope.decode(sealEnvelope(key, Domains.request, 'type', payload))
      if (field === 0) env.payloadType = 'typf'
      if (field === 1) env.payload = Uint8Array.from([...payload, 0])
      if (field === 2) env.publicKey = generateSigningKey().publicKeyRaw
      if (field === 3) {
        env.signature = new Uint8Array(env.signature)
        env.signature[at % 64] = (env.signature[at % 64] ?? 0) ^ 1
      }
      expect(() => openEnvelope(lifelong.envelope.SignedEnvelope.encode(env).finish(), Domains.request)).toThrow(expect.objectContaining({ code: 'ENVELOPE_BAD_SIGNATURE' }))
    }))
  })

  it('refuses malformed bytes with ENVELOPE_MALFORMED and never throws anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        openEnvelope(bytes, Domains.request)
      } catch (err) {
        expect((err as { code: string }).code).toMatch(/^ENVELOPE_(MALFORMED|BAD_SIGNATURE)$/)
      }
    }))
    expect(() => decodeEnvelope(lifelong.envelope.SignedEnvelope.encode({ publicKey: new Uint8Array(31), payloadType: 't', payload: new Uint8Array(), signature: new Uint8Array(64) }).finish()))
      .toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }))
  })
})

describe('Ed25519 helpers', () => {
  it('verifies its own signatures and rejects malformed keys and signatures without throwing', () => {
    const sig = signBytes(key, Uint8Array.of(1))
    expect(verifyBytes(key.publicKeyRaw, Uint8Array.of(1), sig)).toBe(true)
    expect(verifyBytes(key.publicKeyRaw, Uint8Array.of(2), sig)).toBe(false)
    expect(verifyBytes(new Uint8Array(31), Uint8Array.of(1), sig)).toBe(false)
    expect(verifyBytes(key.publicKeyRaw, Uint8Array.of(1), sig.subarray(1))).toBe(false)
  })

  it('round-trips public keys in config form and peer IDs', () => {
    expect(Buffer.compare(parsePublicKey(formatPublicKey(key.publicKeyRaw)), key.publicKeyRaw)).toBe(0)
    expect(() => parsePublicKey('ed25519:AAAA')).toThrow(expect.objectContaining({ code: 'KEY_PUBLIC_INVALID' }))
    const peerId = peerIdFromRawPublicKey(key.publicKeyRaw)
    const decoded = decodePeerIdBytes(peerId.toMultihash().bytes)
    expect(decoded?.peerId.toString()).toBe(peerId.toString())
    expect(decodePeerIdBytes(Uint8Array.of(1, 2, 3))).toBeUndefined()
  })
})
