import { describe, it, expect } from 'vitest'
import { encodeMuxFrame, MuxFrameDecoder, MuxFrameError, type FrameDecision } from '../../../../src/net/rpc/mux-frame.ts'

function concat (parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]))
}

function decodeAll (bytes: Uint8Array, chunk: number, decide: (id: number, length: number) => FrameDecision = () => 'read'): { headers: Array<[number, number]>, frames: Array<[number, number[]]> } {
  const headers: Array<[number, number]> = []
  const frames: Array<[number, number[]]> = []
  const d = new MuxFrameDecoder({
    header: (id, length) => {
      headers.push([id, length])
      return decide(id, length)
    },
    frame: (id, body) => {
      frames.push([id, [...body]])
    }
  })
  for (let at = 0; at < bytes.length; at += chunk) d.push(bytes.subarray(at, at + chunk))
  return { headers, frames }
}

describe('long-lived stream frames', () => {
  const stream = concat([
    encodeMuxFrame(1, Uint8Array.of(1, 2, 3)),
    encodeMuxFrame(300, new Uint8Array(0)),
    encodeMuxFrame(0xffffffff, new Uint8Array(200).fill(9)),
    encodeMuxFrame(2, Uint8Array.of(7))
  ])

  it('decodes the same frames whatever the chunk boundaries', () => {
    const whole = decodeAll(stream, stream.length)
    expect(whole.frames.map(([id, body]) => [id, body.length])).toEqual([[1, 3], [300, 0], [0xffffffff, 200], [2, 1]])
    for (const chunk of [1, 2, 3, 7, 64]) expect(decodeAll(stream, chunk)).toEqual(whole)
  })

  it('drops a frame the receiver refuses without holding its body, and goes on', () => {
    const { headers, frames } = decodeAll(stream, 5, (id) => id === 0xffffffff ? 'drop' : 'read')
    expect(headers.map(([id]) => id)).toEqual([1, 300, 0xffffffff, 2])
    expect(frames.map(([id]) => id)).toEqual([1, 300, 2])
  })

  it('refuses bytes that are no frame: id 0, a varint over 5 bytes, an id over 32 bits', () => {
    for (const bad of [Uint8Array.of(0, 1, 0), Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), Uint8Array.of(1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x10, 0)]) {
      expect(() => decodeAll(bad, 1)).toThrow(MuxFrameError)
    }
  })

  it('reads chunks delivered as lists', () => {
    const d: Array<[number, number[]]> = []
    const decoder = new MuxFrameDecoder({
      header: () => 'read',
      frame: (id, body) => {
        d.push([id, [...body]])
      }
    })
    decoder.push({ subarray: () => stream })
    expect(d).toHaveLength(4)
  })
})
