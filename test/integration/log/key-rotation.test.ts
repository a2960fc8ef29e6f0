/**
 * Node key rotation while the federation serves (docs/OPERATIONS.md §Rotating a node key),
 * with the `lifelong` commands an operator runs: UiO's node gets a new key, the manifest records
 * its key history, and
 *
 * - a learner's portal sign-in begun before the rotation completes after it, and the results
 *   UiO sealed with its old key verify, under the checkpoint its new key signs;
 * - UiO keeps its identity and log origin; its witnesses cosign its new checkpoints, consistent
 *   with the ones they held;
 * - proof bundles made before the rotation keep verifying (lifelong's verifier and the
 *   browser's), and so do those made after;
 * - the old key, once retired, no longer speaks for UiO: its calls are refused, and a checkpoint
 *   it signs over entries logged after its retirement does not verify.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { ORG, planTestFederation, spec, waitForMesh } from '../../helpers/federation.ts'
import { CookieClient } from '../../helpers/emrex-pair.ts'
import { course, LEARNERS, sharedProofs, testCatalogue } from '../../helpers/results.ts'
import { runCli } from '../../helpers/cli.ts'
import { startLocalFederation } from '../../../src/demo/local-federation.ts'
import { createNode, devIssuerWith, type NodeOptions } from '../../../src/node.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { readKeyFile } from '../../../src/core/crypto/key-file.ts'
import { peerIdFromRawPublicKey } from '../../../src/core/crypto/ed25519.ts'
import { verifyResultProofs, type BundleSet } from '../../../src/services/registry/results/bundle.ts'
import { serialiseTrustAnchor } from '../../../src/core/federation/anchor.ts'
import { parseAnchor, verifyProofSet } from '../../../src/edges/ui/browser/verify-proofs.ts'
import { ed25519NoteSigner, ed25519VerifierKey, formatVerifierKey, parseNote, signNote } from '../../../src/core/log/note.ts'
import { GetManifest } from '../../../src/net/federation/protocol.ts'
import { manifestFromJson, signManifest, type ManifestJson } from '../../../src/core/federation/manifest.ts'
import type { LocalNodeSpec } from '../../../src/demo/local-federation.ts'

const KARI = 0

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('node key rotation', () => {
  it('UiO rotates its node key while the federation serves: a sign-in in flight completes, old and new bundles verify, the retired key no longer speaks for UiO', { timeout: 180_000 }, async () => {
    const catalogue = testCatalogue()
    const plan = await planTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('ntnu', ['institution'], ORG.b), spec('portal', ['portal'], ORG.operator)], {
      storage: 'leveldb',
      configOverrides: (s) => s.slug === 'portal' ? { portal: { devIssuer: true } } : {}
    })
    const options = (s: LocalNodeSpec): NodeOptions => s.slug === 'portal' ? { parts: { offerings: () => catalogue, devIssuer: devIssuerWith([{ ...LEARNERS.kari }]) } } : { parts: { offerings: () => catalogue } }
    const fed = await startLocalFederation(plan, options)
    try {
      await waitForMesh(fed)
      const uio = (): ReturnType<typeof fed.node> => fed.node('uio')
      await uio().results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B'), course('fs-2', LEARNERS.kari, 'IN1150', 'C')] } as never)
      await uio().results!.outbox.untilEmpty()
      const portal = fed.node('portal')
      const base = portal.httpUrl()
      const anchor = plan.trustAnchor
      const lite = parseAnchor(serialiseTrustAnchor(anchor))
      const bearer = async (): Promise<string> => `Bearer ${await fed.node('portal').portal!.devIssuer!.issue(KARI, DEV_AUDIENCE, 'n')}`
      /** Kari's results through a share, with their proof bundles. */
      const shareProofs = async (): Promise<{ proofs: BundleSet }> => ({ proofs: await sharedProofs(base, await bearer()) })
      const before = await shareProofs()
      expect(before.proofs.bundles).toHaveLength(2)
      expect(verifyResultProofs(before.proofs, { anchors: [anchor] }).bundles.every((b) => b.ok)).toBe(true)

      const planned = plan.nodes.find((n) => n.spec.slug === 'uio')!
      const oldPeerId = uio().peerId
      const origin = uio().log.origin
      const oldKey = readKeyFile(planned.config.keyFile)

      // A learner begins signing in at the portal…
      const browser = new CookieClient()
      const login = await browser.get(`${base}/portal/login?returnTo=${encodeURIComponent('/portal/results')}`)
      expect(login.status).toBe(303)

      // …while UiO's operator makes the next key and the member entry with its key history,
      const dir = planned.dir
      const entry = join(dir, 'member-entry.json')
      const rotate = await runCli(['key', 'rotate', '--config', planned.configFile, '--manifest', plan.manifestFile, '--overlap', '1', '--out', entry])
      expect(rotate.stderr).toBe('')
      expect(rotate.code).toBe(0)
      // the federation's operator signs it into the next manifest (from the one in force),
      const nextJson = join(dir, 'next.json')
      const nextSigned = join(dir, 'next.pb')
      expect((await runCli(['manifest', 'new', '--from', plan.manifestFile, '--member', entry, '--out', nextJson])).code).toBe(0)
      const signed = await runCli(['manifest', 'sign', '--in', nextJson, '--key', plan.operatorKeyFile, '--out', nextSigned])
      expect(signed.stderr).toBe('')
      // and hands it to one member: every member adopts it, UiO (still on its old key) too.
      const serial = fed.node('index').federation.serial + 1
      expect((await fed.node('index').federation.offer(new Uint8Array(readFileSync(nextSigned)), 'operator')).adopted).toBe(true)
      await until(() => [...fed.nodes.values()].every((n) => n.federation.serial === serial))
      const newPeerId = fed.node('index').federation.memberByIdentity(oldPeerId)!.peerId
      expect(newPeerId).not.toBe(oldPeerId)
      expect(fed.node('index').federation.member(newPeerId)?.identity).toBe(oldPeerId)

      // During the overlap UiO still runs its old key: the portal, finding no one at the next key, asks the old one.
      const overlap = await (await fetch(`${base}/portal/api/results`, { headers: { authorization: await bearer() } })).json() as { results: Array<{ verified: boolean }>, sources: Array<{ status: string }> }
      expect(overlap.sources.map((s) => s.status)).toEqual(['ok'])
      expect(overlap.results.map((r) => r.verified)).toEqual([true, true])

      // The learner goes on at the identity provider meanwhile.
      const authorize = new URL(login.headers.get('location') as string)
      const issued = await browser.post(`${authorize.origin}${authorize.pathname}`, { ...Object.fromEntries(authorize.searchParams), learner: String(KARI) })
      expect(issued.status).toBe(303)

      // The operator ends the overlap early (as after a leak): the next manifest retires the old key now.
      // From then on the old key no longer speaks for UiO: its calls are refused.
      await expect(uio().client.call(fed.node('index').peerId, GetManifest, { haveSerial: 0 })).resolves.toBeDefined()
      const retireJson = JSON.parse(readFileSync(nextJson, 'utf8')) as ManifestJson
      const retiredAt = Date.now()
      const rotatedEntry = retireJson.members.find((m) => m.peerId === newPeerId)!
      rotatedEntry.keyHistory![0]!.validTo = new Date(retiredAt).toISOString()
      const retiring = signManifest(plan.operatorKey, manifestFromJson({ ...retireJson, serial: serial + 1 }))
      expect((await fed.node('ntnu').federation.offer(retiring, 'operator')).adopted).toBe(true)
      await until(() => ['index', 'ntnu', 'portal'].every((slug) => fed.node(slug).federation.serial === serial + 1))
      expect(fed.node('index').federation.activeMember(oldPeerId)).toBeUndefined()
      await expect(uio().client.call(fed.node('index').peerId, GetManifest, { haveSerial: 0 })).rejects.toThrow()

      // UiO puts the next key in place and restarts: same store, same config file.
      const retiringFile = join(dir, 'retiring.pb')
      writeFileSync(retiringFile, retiring)
      const activate = await runCli(['key', 'activate', '--config', planned.configFile, '--manifest', retiringFile])
      expect(activate.stderr).toBe('')
      await uio().stop()
      const restarted = await createNode(planned.config, options(planned.spec))
      fed.nodes.set('uio', restarted)
      await restarted.start()
      expect(restarted.peerId).toBe(newPeerId)
      expect(restarted.log.origin).toBe(origin)
      await waitForMesh(fed)

      // The sign-in completes, and Kari's results (sealed with the old key) verify under the new checkpoint.
      const done = await browser.get(issued.headers.get('location') as string)
      expect(done.status).toBe(303)
      const cookie = browser.cookieFor(base)
      const results = await (await fetch(`${base}/portal/api/results`, { headers: { cookie } })).json() as { results: Array<{ key: string, verified: boolean, code?: string, reason?: string }>, sources: Array<{ status: string }> }
      expect(results.sources.every((s) => s.status === 'ok')).toBe(true)
      expect(results.results.map((r) => ({ verified: r.verified, code: r.code, reason: r.reason }))).toEqual([{ verified: true }, { verified: true }].map((v) => ({ ...v, code: undefined, reason: undefined })))

      // A result recorded after the rotation, under the new key; the witnesses cosign the new checkpoints.
      await restarted.results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-3', LEARNERS.kari, 'IN1000', 'A', '2025-06-10')] } as never)
      await restarted.results!.outbox.untilEmpty()
      const size = restarted.log.store.size
      await restarted.log.checkpointer.sign()
      await until(() => (fed.node('ntnu').log.witness.heldCheckpoints().find((h) => h.origin === origin)?.size ?? 0) >= size)
      const after = await shareProofs()
      expect(after.proofs.bundles).toHaveLength(3)
      for (const [name, set] of [['before', before.proofs], ['after', after.proofs]] as const) {
        const mine = verifyResultProofs(set, { anchors: [anchor] })
        expect({ name, failed: mine.checks.filter((c) => !c.ok) }).toEqual({ name, failed: [] })
        expect({ name, ok: (await verifyProofSet(set, [lite])).ok }).toEqual({ name, ok: true })
      }
      expect(after.proofs.bundles.every((b) => b.log.origin === origin)).toBe(true)
      expect(verifyResultProofs(after.proofs, { anchors: [anchor] }).bundles[0]!.checks.find((c) => c.name === 'cosignatures')?.detail).toMatch(/^[1-9]/)

      // The retired key signs a checkpoint over the entry logged after its retirement: refused.
      const newest = after.proofs.bundles.reduce((a, b) => (a.entry.index > b.entry.index ? a : b))
      // The forger names the old key as the log's (it is in UiO's history) and signs with it.
      const forgedNewest = {
        ...newest,
        log: { ...newest.log, verifierKey: formatVerifierKey(ed25519VerifierKey(origin, oldKey.publicKeyRaw)) },
        checkpoint: signNote(parseNote(newest.checkpoint).text, [ed25519NoteSigner(origin, oldKey.privateKey)])
      }
      const refused = verifyResultProofs({ ...after.proofs, bundles: [forgedNewest] }, { anchors: [anchor] }).bundles[0]!
      expect(refused.checks.find((c) => !c.ok)?.name).toBe('key-period')
      expect((await verifyProofSet({ ...after.proofs, bundles: [forgedNewest] }, [lite])).ok).toBe(false)
      expect(peerIdFromRawPublicKey(oldKey.publicKeyRaw).toString()).toBe(oldPeerId)
    } finally {
      await fed.stop()
    }
  })
})
