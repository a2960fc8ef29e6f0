/**
 * The verifiers' one fetch (SSRF): a local server that redirects (to the cloud metadata
 * address), answers slowly, sends too much (declared and undeclared) and sits on loopback.
 * Without the development flag, loopback and private addresses are refused, checked on the
 * resolved addresses and not the host string, and nothing reaches the server; with it, the
 * redirect, deadline and size rules still hold. Counts, not wall-clock, are asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { createSafeFetch, isPublicAddress, type SafeFetch } from '../../../../src/services/verify/fetch.ts'
import { isLifelongError } from '../../../../src/core/errors.ts'

let server: Server
let base = ''
let port = 0
const hits: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '')
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' })
      res.end()
      return
    }
    if (req.url === '/slow') {
      res.writeHead(200)
      res.write('{')
      return
    } // never ends
    if (req.url === '/big-declared') {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) })
      res.write('x')
      return
    }
    if (req.url === '/big-streamed') {
      res.writeHead(200)
      const chunk = Buffer.alloc(64 * 1024, 120)
      let sent = 0
      const pump = (): void => {
        while (sent < 64 && res.write(chunk)) sent++
        if (sent < 64) res.once('drain', pump)
        else res.end()
      }
      pump()
      return
    }
    if (req.url === '/missing') {
      res.writeHead(404)
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  port = typeof address === 'object' && address !== null ? address.port : 0
  base = `http://127.0.0.1:${port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

async function code (fetch: SafeFetch, url: string): Promise<string> {
  try {
    await fetch(url)
    return 'fetched'
  } catch (err) {
    return isLifelongError(err) ? err.code : String(err)
  }
}

describe('the verifiers\' fetch', () => {
  it('knows public unicast addresses from loopback, private, link-local, CGNAT, multicast and reserved ones, IPv4 inside IPv6 included', () => {
    for (const a of ['8.8.8.8', '193.156.0.10', '2a00:1450:4001:80b::200e', '64:ff9b::808:808']) expect(isPublicAddress(a), a).toBe(true)
    for (const a of [
      '127.0.0.1',
      '127.9.9.9',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '2001:db8::1',
      'not an address'
    ]) {
      expect(isPublicAddress(a), a).toBe(false)
    }
  })

  it('without the development flag: only https, and never to a loopback or private address, whatever the host name says; nothing reaches the server', async () => {
    const before = hits.length
    const strict = createSafeFetch({
      resolve: async (host) =>
        host === 'portal.example.no' ? [{ address: '127.0.0.1', family: 4 }] : host === 'mixed.example.no' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }] : [{ address: '::ffff:127.0.0.1', family: 6 }]
    })
    expect(await code(strict, `${base}/ok`)).toBe('FETCH_NOT_HTTPS')
    expect(await code(strict, `https://127.0.0.1:${port}/ok`)).toBe('FETCH_ADDRESS_FORBIDDEN')
    expect(await code(strict, `https://[::1]:${port}/ok`)).toBe('FETCH_ADDRESS_FORBIDDEN')
    // A name that resolves to loopback; one with a public and a private address; an IPv4-mapped loopback.
    expect(await code(strict, `https://portal.example.no:${port}/ok`)).toBe('FETCH_ADDRESS_FORBIDDEN')
    expect(await code(strict, `https://mixed.example.no:${port}/ok`)).toBe('FETCH_ADDRESS_FORBIDDEN')
    expect(await code(strict, `https://mapped.example.no:${port}/ok`)).toBe('FETCH_ADDRESS_FORBIDDEN')
    expect(await code(strict, 'file:///etc/passwd')).toBe('FETCH_NOT_HTTPS')
    expect(await code(strict, 'https://user:secret@portal.example.no/')).toBe('FETCH_URL_INVALID')
    expect(await code(strict, 'not a url')).toBe('FETCH_URL_INVALID')
    expect(hits.length).toBe(before)
  })

  it('with the development flag: fetches from loopback, but follows no redirect, keeps its deadline and its size cap', async () => {
    const dev = createSafeFetch({ allowInsecure: true, timeoutMs: 500, maxBytes: 1024 * 1024 })
    expect(new TextDecoder().decode((await dev(`${base}/ok`)).body)).toBe('{"ok":true}')
    const before = hits.length
    expect(await code(dev, `${base}/redirect`)).toBe('FETCH_REDIRECT_REFUSED')
    // Only the redirecting URL was asked for, not where it pointed.
    expect(hits.slice(before)).toEqual(['/redirect'])
    expect(await code(dev, `${base}/slow`)).toBe('FETCH_TIMEOUT')
    expect(await code(dev, `${base}/big-declared`)).toBe('FETCH_TOO_LARGE')
    expect(await code(dev, `${base}/big-streamed`)).toBe('FETCH_TOO_LARGE')
    expect(await code(dev, `${base}/missing`)).toBe('FETCH_HTTP_STATUS')
    expect(await code(dev, 'http://127.0.0.1:1/ok')).toBe('FETCH_FAILED')
  })
})
