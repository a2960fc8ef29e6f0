import { describe, it, expect } from 'vitest'
import { lifelong } from '../../src/core/gen/proto.js'

describe('generated protobuf code', () => {
  it('round-trips a SignedEnvelope', () => {
    const bytes = lifelong.envelope.SignedEnvelope.encode({ publicKey: new Uint8Array(32), payloadType: 't', payload: Uint8Array.of(1, 2), signature: new Uint8Array(64) }).finish()
    const back = lifelong.envelope.SignedEnvelope.decode(bytes)
    expect(back.payloadType).toBe('t')
    expect([...back.payload]).toEqual([1, 2])
  })
})
