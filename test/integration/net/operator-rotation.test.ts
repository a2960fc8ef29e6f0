/**
 * Operator key rotation while the federation serves (docs/OPERATIONS.md §Rotating the operator
 * key), with the `lifelong` commands: `lifelong operator rotate` signs, with the key in use, the
 * manifest that introduces the next key and retires the old one after an overlap, and
 *
 * - every member adopts it and then the manifests the next key signs, with no restart and no
 *   config edit (their configs still name only the first key);
 * - the published anchor (still the first key) and the pinned anchors of `lifelong verify` and
 *   the browser's checker follow the chain: proof bundles made before and after the rotation
 *   verify;
 * - once the overlap is over (ended early here by a manifest of the next key), a manifest signed
 *   only by the old key is refused (MANIFEST_SIGNER_RETIRED), by a member and over the manifest
 *   protocol, also one that leaves the retirement out (MANIFEST_OPERATOR_KEYS_REWRITTEN).
 */
import { describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ORG, spec, startTestFederation, tempDir, waitForMesh } from '../../helpers/federation.ts'
import { course, LEARNERS, sharedProofs, testCatalogue } from '../../helpers/results.ts'
import { runCli } from '../../helpers/cli.ts'
import { devIssuerWith } from '../../../src/node.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { formatPublicKey } from '../../../src/core/crypto/ed25519.ts'
import { readKeyFile } from '../../../src/core/crypto/key-file.ts'
import { manifestFromJson, manifestToJson, signManifest, type ManifestJson } from '../../../src/core/federation/manifest.ts'
import { openManifestUnderAnchors, serialiseTrustAnchor, SIGNED_MANIFEST_PATH, TRUST_ANCHOR_PATH } from '../../../src/core/federation/anchor.ts'
import { verifyResultProofs, type BundleSet } from '../../../src/services/registry/results/bundle.ts'
import { parseAnchor, verifyProofSet } from '../../../src/edges/ui/browser/verify-proofs.ts'
import { AnnounceManifest } from '../../../src/net/federation/protocol.ts'

async function until (check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('operator key rotation', () => {
  it('members and pinned anchors follow the chain without restarts or config edits; old and new bundles verify; the retired key is refused', { timeout: 120_000 }, async () => {
    const catalogue = testCatalogue()
    const fed = await startTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('portal', ['portal'], ORG.operator)], {
      configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {},
      nodeOptions: (s) => s.slug === 'portal' ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([LEARNERS.kari]) } } : { parts: { offerings: () => catalogue } }
    })
    await waitForMesh(fed)
    await fed.node('uio').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B')] } as never)
    await fed.node('uio').results!.outbox.untilEmpty()
    const portal = fed.node('portal')
    const base = portal.httpUrl()
    const proofs = async (): Promise<BundleSet> => await sharedProofs(base, `Bearer ${await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')}`)
    const before = await proofs()
    const dir = tempDir()
    const { plan } = fed
    const first = formatPublicKey(plan.operatorKey.publicKeyRaw)
    const serial = fed.node('index').federation.serial

    // The operator rotates: the manifest signed by the key in use introduces the next one.
    const rotated = join(dir, 'rotated.pb')
    const nextKeyFile = join(dir, 'operator-2.key')
    const rotate = await runCli(['operator', 'rotate', '--manifest', plan.manifestFile, '--key', plan.operatorKeyFile, '--new-key', nextKeyFile, '--overlap', '14', '--out', rotated])
    expect(rotate.stderr).toBe('')
    expect(rotate.code).toBe(0)
    expect((await fed.node('uio').federation.offer(new Uint8Array(readFileSync(rotated)), 'operator')).adopted).toBe(true)
    await until(() => [...fed.nodes.values()].every((n) => n.federation.serial === serial + 1))

    // From now on the next key signs; every member adopts its manifests, its config unchanged.
    const nextKey = readKeyFile(nextKeyFile)
    const json = JSON.parse(readFileSync(`${rotated}.json`, 'utf8')) as ManifestJson
    const byNext = join(dir, 'by-next.json')
    writeFileSync(byNext, JSON.stringify({ ...json, serial: serial + 2, issuedAt: undefined }))
    const signedByNext = join(dir, 'by-next.pb')
    expect((await runCli(['manifest', 'sign', '--in', byNext, '--key', nextKeyFile, '--out', signedByNext])).code).toBe(0)
    expect((await fed.node('index').federation.offer(new Uint8Array(readFileSync(signedByNext)), 'operator')).adopted).toBe(true)
    await until(() => [...fed.nodes.values()].every((n) => n.federation.serial === serial + 2))
    for (const node of fed.nodes.values()) {
      expect(node.config.federation.operatorKeys.map(formatPublicKey)).toEqual([first])
      expect(Buffer.from(node.federation.current().signerKey).equals(Buffer.from(nextKey.publicKeyRaw))).toBe(true)
    }

    // The published anchor is still the first key's, and it vouches for the manifest the next key signed.
    const anchorText = await (await fetch(`${base}${TRUST_ANCHOR_PATH}`)).text()
    expect(anchorText).toBe(serialiseTrustAnchor(plan.trustAnchor))
    const served = new Uint8Array(await (await fetch(`${base}${SIGNED_MANIFEST_PATH}`)).arrayBuffer())
    expect(openManifestUnderAnchors(served, [plan.trustAnchor]).signed.manifest.serial).toBe(serial + 2)

    // Bundles made before and after verify under the pinned first key: lifelong's verifier, the browser's, and `lifelong verify`.
    const after = await proofs()
    const lite = parseAnchor(anchorText)
    for (const [name, set] of [['before', before], ['after', after]] as const) {
      expect({ name, failed: verifyResultProofs(set, { anchors: [plan.trustAnchor] }).checks.filter((c) => !c.ok) }).toEqual({ name, failed: [] })
      expect({ name, ok: (await verifyProofSet(set, [lite])).ok }).toEqual({ name, ok: true })
      const file = join(dir, `${name}.json`)
      writeFileSync(file, JSON.stringify(set))
      const verified = await runCli(['verify', file, '--trust-anchor', plan.trustAnchorFile, '--offline'])
      expect({ name, code: verified.code, stderr: verified.stderr }).toEqual({ name, code: 0, stderr: '' })
    }
    expect(after.bundles[0]!.manifest).not.toBe(before.bundles[0]!.manifest)

    // The operator ends the overlap (here early, with the next key): from then on a manifest signed only by the old key is refused.
    const ending = manifestToJson(fed.node('index').federation.current().manifest) as ManifestJson
    delete ending.issuedAt
    ending.operatorKeys![0]!.validTo = new Date().toISOString()
    expect((await fed.node('index').federation.offer(signManifest(nextKey, manifestFromJson({ ...ending, serial: serial + 3 })), 'operator')).adopted).toBe(true)
    await until(() => [...fed.nodes.values()].every((n) => n.federation.serial === serial + 3))
    const current = manifestToJson(fed.node('index').federation.current().manifest) as ManifestJson
    delete current.issuedAt
    const late = signManifest(plan.operatorKey, manifestFromJson({ ...current, serial: serial + 4 }))
    await expect(fed.node('uio').federation.offer(late, 'test')).rejects.toMatchObject({ code: 'MANIFEST_SIGNER_RETIRED' })
    await expect(fed.node('uio').client.call(fed.node('index').peerId, AnnounceManifest, { signedManifest: late })).rejects.toMatchObject({ code: 'MANIFEST_SIGNER_RETIRED' })
    // Leaving the retirement out does not help: the chain held is kept.
    const unretired = structuredClone(current)
    delete unretired.operatorKeys![0]!.validTo
    const sneaky = signManifest(plan.operatorKey, manifestFromJson({ ...unretired, serial: serial + 4 }))
    await expect(fed.node('uio').federation.offer(sneaky, 'test')).rejects.toMatchObject({ code: 'MANIFEST_OPERATOR_KEYS_REWRITTEN' })
    expect([...fed.nodes.values()].every((n) => n.federation.serial === serial + 3)).toBe(true)
  })
})
