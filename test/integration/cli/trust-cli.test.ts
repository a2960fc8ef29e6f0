/**
 * Verifiers with trust anchors, through the real CLI as an employer runs it:
 *
 * - every node serves its federation's trust anchor and signed manifest at well-known URLs, and
 *   `lifelong trust` pins, lists, exports, refreshes and removes anchors (in a trust store named by
 *   LIFELONG_TRUST_STORE, never the home directory);
 * - `lifelong verify` refuses with no anchor pinned, refuses a proof bundle of a rogue federation
 *   whose node claims UiO's organisation number, and verifies the genuine one, printing what it
 *   verified;
 * - an SD-JWT VC signed with an attacker's key, or naming another issuer URL, and an ELM
 *   credential sealed with a key the federation does not list for that institution are refused,
 *   and nothing a forged credential names is fetched.
 *
 * The regression assertions run `verify` with the trust store given only through the environment,
 * so that they also run, and fail, on code from before trust anchors. A pin from a node's URL and
 * a refused and a verified bundle run `lifelong` as a child process; the other commands run the
 * same program in the test's process (runCliInProcess).
 */
import { describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import { createNode } from '../../../src/node.ts'
import { formatPublicKey, generateSigningKey } from '../../../src/core/crypto/ed25519.ts'
import { openManifestUnderAnchors, trustAnchorFingerprint, TRUST_ANCHOR_PATH, SIGNED_MANIFEST_PATH } from '../../../src/core/federation/anchor.ts'
import { SdJwtVcIssuer, es256Sign, generateIssuerKey, type IssuerKey } from '../../../src/services/bridges/eudi/sd-jwt.ts'
import { disclosureFrame, learningClaims } from '../../../src/services/bridges/eudi/claims.ts'
import { EvidenceBuilder } from '../../../src/services/bridges/elm/evidence.ts'
import { isLifelongError } from '../../../src/core/errors.ts'
import { decodeLeaf } from '../../../src/core/log/leaf.ts'
import { RESULT_LOG_TYPES } from '../../../src/services/registry/results/keys.ts'
import { encodeStatusList } from '../../../src/services/bridges/eudi/status-list.ts'
import { planTestFederation, startTestFederation, spec, tempDir, ORG } from '../../helpers/federation.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { paperFederation } from '../../helpers/trust.ts'
import { sampleLearnerResults } from '../../fixtures/bridges/sample.ts'

const UIO_NAME = 'Universitetet i Oslo'

/** A loopback server that records every request it gets. */
async function recordingServer (handler: (url: string) => { status?: number, type?: string, body: string }): Promise<{ url: string, hits: string[], server: Server }> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    const r = handler(req.url ?? '')
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'application/json' })
    res.end(r.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, hits, server }
}

/** A federation with one institution claiming UiO, a result of Kari's in its log, and a proof bundle of it. */
async function resultBundle (dir: string): Promise<{ plan: Awaited<ReturnType<typeof planTestFederation>>, bundleFile: string, index: number }> {
  // LevelDB: `lifelong log prove --data` reads the stopped node's store.
  const plan = await planTestFederation([spec('uio', ['institution'], ORG.a, { name: UIO_NAME })], { storage: 'leveldb' }, dir)
  const planned = plan.nodes[0]!
  const node = await createNode(planned.config, { parts: { offerings: () => testCatalogue() } })
  await node.start()
  await node.results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B')] })
  await node.log.checkpointer.sign()
  let index = -1
  for (let i = 0; i < node.log.store.size; i++) {
    const entry = await node.log.store.entry(i)
    if (decodeLeaf(entry.leaf).type === RESULT_LOG_TYPES.result) index = i
  }
  await node.stop()
  const bundleFile = join(dir, 'bundle.json')
  const prove = await runCliInProcess(['log', 'prove', '--data', planned.config.dataDir, '--index', String(index), '--out', bundleFile])
  expect(prove.code, prove.stderr).toBe(0)
  return { plan, bundleFile, index }
}

describe('trust anchors and lifelong verify', () => {
  it('every node serves the federation\'s trust anchor and signed manifest; lifelong trust pins, lists, exports, refreshes and removes it', { timeout: 120_000 }, async () => {
    const fed = await startTestFederation([spec('uio', ['institution'], ORG.a), spec('portal', ['portal'], ORG.operator)])
    const anchorText = readFileSync(fed.plan.trustAnchorFile, 'utf8')
    for (const node of fed.nodes.values()) {
      const res = await fetch(`${node.httpUrl()}${TRUST_ANCHOR_PATH}`)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(anchorText)
    }
    const base = fed.node('uio').httpUrl()
    const manifest = openManifestUnderAnchors(new Uint8Array(await (await fetch(`${base}${SIGNED_MANIFEST_PATH}`)).arrayBuffer()), [fed.plan.trustAnchor]).signed.manifest
    expect(manifest.serial).toBe(fed.plan.serial)
    // The portal's credential issuer key is in its manifest entry, the one its JWT VC issuer metadata names.
    const portalMember = manifest.members.find((m) => m.roles.includes('portal'))!
    expect(portalMember.credentialIssuerKeys).toHaveLength(1)

    const dir = tempDir()
    const store = join(dir, 'store')
    const anchorUrl = `${base}${TRUST_ANCHOR_PATH}`
    // http on loopback is refused unless the development flag says so.
    const insecure = await runCliInProcess(['trust', 'add', anchorUrl, '--trust-store', store])
    expect(insecure.code).toBe(1)
    expect(insecure.stderr).toContain('error FETCH_NOT_HTTPS')
    const added = await runCli(['trust', 'add', anchorUrl, '--allow-insecure-fetch', '--trust-store', store])
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toContain(`pinned no.lifelong.test\n  fingerprint    ${trustAnchorFingerprint(fed.plan.trustAnchor)}`)
    expect(added.stdout).toContain(`serial ${fed.plan.serial}, 2 members`)
    const list = JSON.parse((await runCliInProcess(['trust', 'list', '--json'], { env: { LIFELONG_TRUST_STORE: store } })).stdout)
    expect(list.federations).toMatchObject([{ federation: 'no.lifelong.test', operatorKeys: [formatPublicKey(fed.plan.operatorKey.publicKeyRaw)], manifest: { serial: fed.plan.serial }, manifestUrl: `${base}${SIGNED_MANIFEST_PATH}` }])
    expect((await runCliInProcess(['trust', 'export', 'no.lifelong.test', '--trust-store', store])).stdout).toBe(anchorText)
    expect((await runCliInProcess(['trust', 'refresh', '--allow-insecure-fetch', '--trust-store', store])).stdout).toContain(`no.lifelong.test: manifest serial ${fed.plan.serial}`)

    // Another anchor for the same federation ID is not silently swapped in.
    const rogue = paperFederation([{ key: generateSigningKey(), organisationNumber: ORG.a, name: UIO_NAME, roles: ['institution'] }], { federation: 'no.lifelong.test' }).write(tempDir())
    const swapped = await runCliInProcess(['trust', 'add', rogue.anchorFile, '--trust-store', store])
    expect(swapped.code).toBe(1)
    expect(swapped.stderr).toContain('error TRUST_ANCHOR_CHANGED')
    expect((await runCliInProcess(['trust', 'export', 'no.lifelong.test', '--trust-store', store])).stdout).toBe(anchorText)

    expect((await runCliInProcess(['trust', 'remove', 'no.lifelong.test', '--trust-store', store])).code).toBe(0)
    expect((await runCliInProcess(['trust', 'list', '--trust-store', store])).stdout).toContain('no trust anchor pinned')

    // A node does not publish an anchor that disagrees with the operator keys it trusts itself.
    const planned = fed.plan.nodes[0]!
    await expect(createNode({ ...planned.config, dataDir: join(dir, 'other'), federation: { ...planned.config.federation, trustAnchorFile: rogue.anchorFile } }))
      .rejects.toSatisfy((e: unknown) => isLifelongError(e, 'TRUST_ANCHOR_MISMATCH'))
  })

  it('refuses a proof bundle with no anchor pinned and one of a rogue federation claiming UiO; verifies the genuine one and prints what it verified', { timeout: 120_000 }, async () => {
    const genuine = await resultBundle(tempDir())
    const rogue = await resultBundle(tempDir())
    const store = join(tempDir(), 'store')
    const env = { LIFELONG_TRUST_STORE: store }

    const unpinned = await runCli(['verify', rogue.bundleFile], { env })
    expect(unpinned.stdout).not.toMatch(/^VERIFIED$/m)
    expect(unpinned.code).toBe(1)
    expect(unpinned.stderr).toContain('error VERIFY_NO_TRUST_ANCHOR: no trust anchor pinned: run `lifelong trust add')

    expect((await runCliInProcess(['trust', 'add', genuine.plan.trustAnchorFile], { env })).code).toBe(0)
    const refused = await runCliInProcess(['verify', rogue.bundleFile], { env })
    expect(refused.stdout).not.toMatch(/^VERIFIED$/m)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain(`FAIL manifest: the manifest of "no.lifelong.test" is signed by ${formatPublicKey(rogue.plan.operatorKey.publicKeyRaw)}, which is not an operator key of the pinned trust anchor`)
    expect(refused.stdout).toContain('NOT VERIFIED: check manifest failed')
    // The rogue operator's key given explicitly is an anchor too, of the rogue federation only.
    expect((await runCliInProcess(['verify', genuine.bundleFile, '--operator-key', formatPublicKey(rogue.plan.operatorKey.publicKeyRaw)])).code).toBe(1)

    const ok = await runCli(['verify', genuine.bundleFile], { env })
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toContain('  learner         Kari Nordmann, born 1999-03-14\n')
    expect(ok.stdout).toContain('  title           Introduksjon til objektorientert programmering (IN1000)\n')
    expect(ok.stdout).toContain('  grade           B (A-F)\n')
    expect(ok.stdout).toContain('  credits         10 ECTS\n')
    expect(ok.stdout).toContain('  achieved        2024-12-10\n')
    expect(ok.stdout).toContain(`  issuer          ${UIO_NAME} (organisation ${ORG.a}), as named when issued\n`)
    expect(ok.stdout).toContain(`  vouched for by  ${UIO_NAME} (organisation ${ORG.a}), member of no.lifelong.test in manifest serial ${genuine.plan.serial}\n`)
    expect(ok.stdout).toMatch(new RegExp(`  log position    entry ${genuine.index} of tree size \\d+, checkpoint origin no\\.lifelong\\.test/log/${genuine.plan.nodes[0]!.peerId}, logged `))
    expect(ok.stdout).toMatch(/\nVERIFIED\n$/)
    const json = JSON.parse((await runCliInProcess(['verify', genuine.bundleFile, '--json'], { env })).stdout)
    expect(json).toMatchObject({
      format: 'lifelong-proof-bundle/v1',
      ok: true,
      verified: [{ kind: 'result', learner: 'Kari Nordmann', grades: ['B (A-F)'], credits: '10 ECTS', log: { index: genuine.index, origin: `no.lifelong.test/log/${genuine.plan.nodes[0]!.peerId}` } }]
    })
    expect(json.trust.sources[0]).toMatchObject({ federation: 'no.lifelong.test', fingerprint: trustAnchorFingerprint(genuine.plan.trustAnchor) })
  })

  it('refuses an SD-JWT VC signed with an attacker\'s key or naming another issuer, without fetching what it names; verifies one of the pinned federation\'s portal', { timeout: 60_000 }, async () => {
    const portalKey = await generateIssuerKey()
    const portalUrl = 'https://vitnemal.example.no'
    const fed = paperFederation([{ key: generateSigningKey(), organisationNumber: ORG.operator, name: 'Vitnemålsportalen', roles: ['portal'], httpBaseUrl: portalUrl, credentialIssuerKey: portalKey.privateKey }])
    const attackerKey = await generateIssuerKey()
    // The attacker's server: JWT VC issuer metadata with its own key, and a status list it signs ("valid").
    const b64u = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
    const statusList = (uri: string): string => {
      const input = `${b64u({ alg: 'ES256', typ: 'statuslist+jwt', kid: attackerKey.jwk.kid })}.${b64u({ sub: uri, iat: Math.floor(Date.now() / 1000), status_list: { bits: 1, lst: encodeStatusList(new Uint8Array(16)) } })}`
      return `${input}.${es256Sign(attackerKey.privateKey, input)}`
    }
    let attackerBase = ''
    const attacker = await recordingServer((url) =>
      url.startsWith('/.well-known/jwt-vc-issuer')
        ? { body: JSON.stringify({ issuer: attackerBase, jwks: { keys: [attackerKey.jwk] } }) }
        : url === '/status/1'
        ? { type: 'application/statuslist+jwt', body: statusList(`${attackerBase}/status/1`) }
        : { status: 404, body: '{}' }
    )
    attackerBase = attacker.url
    const holder = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)
    const claims = learningClaims(sampleLearnerResults.learner, { ...sampleLearnerResults.results[0]!, grades: [{ scale: 'A-F', value: 'A', passed: true }] })
    const issue = async (key: IssuerKey, issuer: string, statusUri: string): Promise<string> =>
      await new SdJwtVcIssuer(key).issue({
        issuer,
        vct: `${issuer}/vct/diploma/1`,
        claims: claims as never,
        frame: disclosureFrame(claims),
        holderJwk: holder,
        status: { ref: { listId: '1', index: 3 }, uri: statusUri },
        iat: Math.floor(Date.now() / 1000)
      })
    const forged = await issue(attackerKey, attackerBase, `${attackerBase}/status/1`)
    const dir = tempDir()
    const files = fed.write(dir)
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    const env = { LIFELONG_TRUST_STORE: join(dir, 'store') }

    const unpinned = await runCliInProcess(['verify', file('forged.txt', forged)], { env })
    expect(unpinned.stdout).not.toMatch(/^VERIFIED$/m)
    expect(unpinned.code).toBe(1)
    expect(attacker.hits).toEqual([])

    expect((await runCliInProcess(['trust', 'add', files.anchorFile, '--manifest', files.manifestFile], { env })).code).toBe(0)
    const refused = await runCliInProcess(['verify', join(dir, 'forged.txt'), '--allow-insecure-fetch'], { env })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain(`FAIL issuer: signed by a key (kid ${attackerKey.jwk.kid}) that no pinned federation names as a credential issuer`)
    expect(attacker.hits).toEqual([])

    // The portal's own key, but a credential naming the attacker's URL as issuer.
    const renamed = await runCliInProcess(['verify', file('renamed.txt', await issue(portalKey, attackerBase, `${attackerBase}/status/1`)), '--allow-insecure-fetch'], { env })
    expect(renamed.code).toBe(1)
    expect(renamed.stdout).toContain(`FAIL issuer: the credential names iss ${attackerBase}, but the key is the credential issuer key of "Vitnemålsportalen" at ${portalUrl}`)
    // The portal's key and URL, but a status list elsewhere: not fetched.
    const elsewhere = await runCliInProcess(['verify', file('elsewhere.txt', await issue(portalKey, portalUrl, `${attackerBase}/status/1`)), '--allow-insecure-fetch'], { env })
    expect(elsewhere.code).toBe(1)
    expect(elsewhere.stdout).toContain(`FAIL status: cannot check the status: ${attackerBase}/status/1 is not under the issuer's base URL ${portalUrl}`)
    expect(attacker.hits).toEqual([])
    attacker.server.close()

    // The genuine credential, offline (its portal is not on this network): verified, and what it says is printed.
    const genuine = await runCliInProcess(['verify', file('genuine.txt', await issue(portalKey, portalUrl, `${portalUrl}/eudi/status-lists/1`)), '--offline'], { env })
    expect(genuine.code, genuine.stdout + genuine.stderr).toBe(0)
    expect(genuine.stdout).toContain('ok   online-checks: not checked (offline): type metadata, status list')
    expect(genuine.stdout).toContain('  learner         Kari Synnøve Nordmann, born 1999-03-14\n')
    expect(genuine.stdout).toContain('  grade           A (A-F)\n')
    expect(genuine.stdout).toContain(`  vouched for by  Vitnemålsportalen (organisation ${ORG.operator}), credential issuer\n`)
  })

  it('refuses an ELM credential sealed with a key the pinned federation does not list for the institution it names', { timeout: 60_000 }, async () => {
    const uioKey = generateSigningKey()
    const fed = paperFederation([{ key: uioKey, organisationNumber: ORG.a, name: UIO_NAME, roles: ['institution'] }])
    const names = { organisationNumber: ORG.a, names: { nb: UIO_NAME } }
    const forged = await new EvidenceBuilder({ key: generateSigningKey() }, names).build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    const genuine = await new EvidenceBuilder({ key: uioKey }, names).build(sampleLearnerResults.learner, sampleLearnerResults.results[0]!)
    const dir = tempDir()
    const files = fed.write(dir)
    writeFileSync(join(dir, 'forged.jwt'), forged.sealed)
    writeFileSync(join(dir, 'genuine.jwt'), genuine.sealed)
    const env = { LIFELONG_TRUST_STORE: join(dir, 'store') }

    const unpinned = await runCliInProcess(['verify', join(dir, 'forged.jwt')], { env })
    expect(unpinned.stdout).not.toMatch(/^VERIFIED$/m)
    expect(unpinned.code).toBe(1)
    expect((await runCliInProcess(['trust', 'add', files.anchorFile, '--manifest', files.manifestFile], { env })).code).toBe(0)
    const refused = await runCliInProcess(['verify', join(dir, 'forged.jwt')], { env })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain('FAIL issuer: sealed by a key that no pinned federation lists as a member\'s key')
    const ok = await runCliInProcess(['verify', join(dir, 'genuine.jwt')], { env })
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toContain(`  vouched for by  ${UIO_NAME} (organisation ${ORG.a}), sealed with its key\n`)
  })
})
