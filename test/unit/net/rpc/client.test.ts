/**
 * The client's long-lived streams with a stand-in libp2p whose dial is slow and then fails: a
 * caller that gives up while the stream is being opened (its deadline, or its node stopping)
 * gets its reason, the other callers waiting for the same stream get the dial's failure, and
 * nothing is left as an unhandled rejection (which would end the process).
 */
import { describe, it, expect, afterEach } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { RpcClient, type RpcClientComponents } from '../../../../src/net/rpc/client.ts'

const unhandled: unknown[] = []
process.on('unhandledRejection', (reason) => {
  unhandled.push(reason)
})
afterEach(() => {
  expect(unhandled).toEqual([])
})

const PEER = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

function client (dial: () => Promise<never>): { client: RpcClient, dials: () => number } {
  let dials = 0
  const libp2p = {
    dialProtocol: async () => {
      dials++
      return await dial()
    }
  } as unknown as Libp2p
  const c = new RpcClient({ libp2p } as unknown as RpcClientComponents, { maxMessageBytes: 1024, maxConcurrentPerPeer: 4, deadlineMs: 5000 })
  return { client: c, dials: () => dials }
}

describe('RpcClient long-lived streams', () => {
  it('callers that give up while the stream opens leave no unhandled rejection; one dial serves the callers waiting for it', async () => {
    const failing = async (): Promise<never> =>
      await new Promise<never>((_resolve, reject) => {
        setTimeout(() => {
          reject(new Error('dial failed'))
        }, 20)
      })
    const { client: c, dials } = client(failing)
    const given = new AbortController()
    const gaveUp = c.exchange(PEER, '/lifelong/test/1.0.0', Uint8Array.of(1), given.signal).catch((err: Error) => err.message)
    const waited = c.exchange(PEER, '/lifelong/test/1.0.0', Uint8Array.of(2), new AbortController().signal).catch((err: Error) => err.message)
    given.abort(new Error('deadline'))
    expect(await gaveUp).toBe('deadline')
    expect(await waited).toBe('dial failed')
    expect(dials()).toBe(1)
    // The last caller alone gives up: the dial's failure then reaches no one.
    const last = new AbortController()
    const alone = c.exchange(PEER, '/lifelong/test/1.0.0', Uint8Array.of(4), last.signal).catch((err: Error) => err.message)
    last.abort(new Error('deadline'))
    expect(await alone).toBe('deadline')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(dials()).toBe(2)
  })

  it('a caller whose signal has already fired (its node stopping) gets the reason and starts no dial', async () => {
    const failing = async (): Promise<never> =>
      await new Promise<never>((_resolve, reject) => {
        setTimeout(() => {
          reject(new Error('dial failed'))
        }, 20)
      })
    const { client: c, dials } = client(failing)
    const stopped = new AbortController()
    stopped.abort(new Error('this node is stopping'))
    expect(await c.exchange(PEER, '/lifelong/test/1.0.0', Uint8Array.of(3), stopped.signal).catch((err: Error) => err.message)).toBe('this node is stopping')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(dials()).toBe(0)
  })
})
