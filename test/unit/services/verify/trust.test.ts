/**
 * The verifier's trust store and what a verification trusts: pinning from a node's URL keeps the
 * manifest served beside the anchor; a refresh refuses an older serial (rollback); a stored
 * manifest is checked again at every use (an edited file is not trusted); an expired manifest
 * is refreshed from where it was pinned, or reported; nothing pinned is refused with the message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { homedir } from 'node:os'
import { generateSigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { serialiseTrustAnchor, SIGNED_MANIFEST_PATH, TRUST_ANCHOR_PATH } from '../../../../src/core/federation/anchor.ts'
import { createSafeFetch } from '../../../../src/services/verify/fetch.ts'
import { NO_ANCHOR_MESSAGE, pinFederation, refreshPin, resolveTrust } from '../../../../src/services/verify/trust.ts'
import { TrustStore, trustStoreDir } from '../../../../src/services/verify/trust-store.ts'
import { isLifelongError } from '../../../../src/core/errors.ts'
import { paperFederation } from '../../../helpers/trust.ts'
import { tempDir } from '../../../helpers/federation.ts'

const DAY = 86_400_000
const fed = paperFederation([{ key: generateSigningKey(), organisationNumber: '971035854', name: 'UiO', roles: ['institution'] }])
let served = fed.manifestBytes
let server: Server
let base = ''
const fetch = createSafeFetch({ allowInsecure: true })

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === TRUST_ANCHOR_PATH) res.end(serialiseTrustAnchor(fed.anchor))
    else if (req.url === SIGNED_MANIFEST_PATH) res.end(Buffer.from(served))
    else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
})
afterAll(() => {
  server.close()
})

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p
    return 'ok'
  } catch (err) {
    return isLifelongError(err) ? err.code : String(err)
  }
}

describe('the trust store', () => {
  it('lives where --trust-store, then LIFELONG_TRUST_STORE, then XDG_CONFIG_HOME say, never elsewhere unasked', () => {
    expect(trustStoreDir('/x', { LIFELONG_TRUST_STORE: '/y', XDG_CONFIG_HOME: '/z' })).toBe('/x')
    expect(trustStoreDir(undefined, { LIFELONG_TRUST_STORE: '/y', XDG_CONFIG_HOME: '/z' })).toBe('/y')
    expect(trustStoreDir(undefined, { XDG_CONFIG_HOME: '/z' })).toBe('/z/lifelong/trust')
    expect(trustStoreDir(undefined, {})).toBe(join(homedir(), '.config', 'lifelong', 'trust'))
  })

  it('pins from a URL with the manifest beside it, refreshes forward only, and re-checks what it stored', async () => {
    const store = new TrustStore(join(tempDir(), 'store'))
    const { pin, manifest } = await pinFederation(store, `${base}${TRUST_ANCHOR_PATH}`, { fetch })
    expect(pin.manifestUrl).toBe(`${base}${SIGNED_MANIFEST_PATH}`)
    expect(manifest?.serial).toBe(1)
    expect(store.list().map((p) => p.federation)).toEqual(['no.lifelong.test'])

    served = fed.sign({ serial: 5 })
    expect((await refreshPin(store, store.get('no.lifelong.test')!, { fetch })).manifest.serial).toBe(5)
    served = fed.sign({ serial: 4 })
    expect(await codeOf(refreshPin(store, store.get('no.lifelong.test')!, { fetch }))).toBe('TRUST_MANIFEST_ROLLBACK')
    // A manifest signed by someone else is not stored either.
    served = paperFederation([{ key: generateSigningKey(), organisationNumber: '971035854', name: 'UiO', roles: ['institution'] }]).sign({ serial: 9 })
    expect(await codeOf(refreshPin(store, store.get('no.lifelong.test')!, { fetch }))).toBe('TRUST_ANCHOR_UNTRUSTED_SIGNER')
    served = fed.manifestBytes

    const trust = await resolveTrust({ store, fetch, offline: true, needManifests: true })
    expect(trust.manifests.map((m) => m.serial)).toEqual([5])
    // Someone edits the stored manifest: it no longer verifies, so it is not used.
    const file = join(store.dir, 'no.lifelong.test.json')
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    const bytes = Buffer.from(doc.manifest, 'base64')
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 1
    writeFileSync(file, JSON.stringify({ ...doc, manifest: bytes.toString('base64') }))
    const edited = await resolveTrust({ store, fetch, offline: true, needManifests: true })
    expect(edited.manifests).toEqual([])
    expect(edited.notes[0]).toContain('does not verify under its anchor')
  })

  it('refreshes an expired manifest from where it was pinned; offline, reports it expired', async () => {
    const store = new TrustStore(join(tempDir(), 'store'))
    served = fed.sign({ serial: 2, issuedAt: Date.now() - DAY / 2, expiresAt: Date.now() - DAY / 24 })
    await pinFederation(store, `${base}${TRUST_ANCHOR_PATH}`, { fetch })
    const offline = await resolveTrust({ store, fetch, offline: true, needManifests: true })
    expect(offline.manifests).toEqual([])
    expect(offline.notes[0]).toMatch(/the manifest of no\.lifelong\.test \(serial 2, .*\) expired/)
    served = fed.sign({ serial: 3 })
    const online = await resolveTrust({ store, fetch, needManifests: true })
    expect(online.manifests.map((m) => m.serial)).toEqual([3])
    expect(store.get('no.lifelong.test')?.manifestFetchedAt).toBeDefined()
    served = fed.manifestBytes
  })

  it('refuses when nothing is pinned, with the message that says what to do', async () => {
    const store = new TrustStore(join(tempDir(), 'empty'))
    let error: unknown
    try {
      await resolveTrust({ store, fetch, needManifests: false })
    } catch (err) {
      error = err
    }
    expect(isLifelongError(error, 'VERIFY_NO_TRUST_ANCHOR')).toBe(true)
    expect((error as Error).message).toBe(NO_ANCHOR_MESSAGE)
    expect(NO_ANCHOR_MESSAGE).toMatch(/^no trust anchor pinned: run `lifelong trust add /)
  })
})
