/**
 * The browser's proof checker under a verifier policy and a witness set (issue 14 parts 4–5),
 * in a hybrid federation whose manifest asks 2 of each log's 2 witnesses to cosign:
 *
 * - the module the page runs (in Node here) agrees with `lifelong verify`'s verifier, policy by
 *   policy, on a genuine hybrid bundle, a bundle short of the k-of-n threshold, one stripped of
 *   its ML-DSA-65 lines and one whose seal carries no ML-DSA-65 half: the same outcome and the
 *   same first failing check;
 * - in Chromium (WebCrypto's Ed25519 and ML-DSA-65) the page, with the reader's policy chosen in
 *   its form, accepts and refuses the same files, naming the failing check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { startTestFederation, spec, ORG, tempDir, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, LEARNERS, course } from '../../helpers/results.ts'
import { launchBrowser, releaseBrowser, newContext } from '../../helpers/browser.ts'
import { decodeLeaf } from '../../../src/core/log/leaf.ts'
import { formatNote, parseNote } from '../../../src/core/log/note.ts'
import { RESULT_LOG_TYPES } from '../../../src/services/registry/results/keys.ts'
import { BUNDLE_SET_FORMAT, verifyResultProofs, type BundleSet } from '../../../src/services/registry/results/bundle.ts'
import { serialiseTrustAnchor, trustAnchorFingerprint } from '../../../src/core/federation/anchor.ts'
import type { SignaturePolicy } from '../../../src/core/crypto/policy.ts'
import { anchorFingerprint, parseAnchor, verifyProofSet } from '../../../src/edges/ui/browser/verify-proofs.ts'
import type { LifelongNode } from '../../../src/node.ts'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await releaseBrowser(browser)
})

async function until (check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The proof set of the node's (last) result, once its checkpoint carries the threshold of cosignatures. */
async function proofSetOf (node: LifelongNode, policy: SignaturePolicy, anchors: Parameters<typeof verifyResultProofs>[1]['anchors']): Promise<BundleSet> {
  let index = -1
  for (let i = 0; i < node.log.store.size; i++) if (decodeLeaf((await node.log.store.entry(i)).leaf).type === RESULT_LOG_TYPES.result) index = i
  expect(index).toBeGreaterThanOrEqual(0)
  let set: BundleSet | undefined
  await until(async () => {
    await node.log.pushLatest()
    // As the registry serves it to the learner (behind its access control): the log's own bundle.
    const bundle = await node.log.proofBundle(index)
    set = { format: BUNDLE_SET_FORMAT, bundles: [bundle] }
    return verifyResultProofs(set, { anchors, policy }).bundles[0]?.checks.find((c) => c.name === 'cosignatures')?.ok === true
  })
  return set as BundleSet
}

/** The set with its checkpoint's signature lines filtered. */
function withLines (set: BundleSet, keep: (name: string, signature: Uint8Array) => boolean): BundleSet {
  const copy = JSON.parse(JSON.stringify(set)) as BundleSet
  const b = copy.bundles[0]!
  const note = parseNote(b.checkpoint)
  b.checkpoint = formatNote({ text: note.text, signatures: note.signatures.filter((s) => keep(s.name, s.signature)) })
  return copy
}

describe('the browser\'s proof checker applies the verifier policy and the witness set\'s threshold', () => {
  it('agrees with lifelong verify on hybrid, short-of-threshold, downgraded and Ed25519-sealed bundles, in Node and in Chromium', { timeout: 240_000 }, async () => {
    const catalogue = testCatalogue()
    const fed = await startTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a), spec('ntnu', ['institution'], ORG.b), spec('portal', ['portal'], ORG.operator)], {
      hybrid: true,
      witnessing: { perLog: 2, threshold: 2 },
      configOverrides: (s) => ({ log: { checkpointIntervalMs: 200, checkpointEveryEntries: 1 }, ...(s.slug === 'uio' ? { signatures: { hybridSeals: true } } : {}) }),
      nodeOptions: () => ({ parts: { offerings: () => catalogue } })
    })
    await waitForMesh(fed)
    const anchor = fed.plan.trustAnchor
    expect(anchor.operatorMlDsaKeys?.length).toBe(1)
    const anchors = [anchor]
    await fed.node('uio').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-1', LEARNERS.kari, 'IN1000', 'B')] })
    await fed.node('ntnu').results!.registry.ingest({ learners: [LEARNERS.kari], results: [course('fs-2', LEARNERS.kari, 'TDT4100', 'C')] })
    const genuine = await proofSetOf(fed.node('uio'), 'both-required', anchors)
    const edSealed = await proofSetOf(fed.node('ntnu'), 'ed25519-only', anchors)

    // One witness's cosignature lines removed: 1 of the 2 the manifest requires.
    const witnessNames = [...new Set(parseNote(genuine.bundles[0]!.checkpoint).signatures.map((s) => s.name).filter((n) => n.includes('/witness/')))]
    expect(witnessNames).toHaveLength(2)
    const shortOfThreshold = withLines(genuine, (name) => name !== witnessNames[0])
    // Every ML-DSA-65 line removed (they are the only lines longer than an Ed25519 cosignature).
    const stripped = withLines(genuine, (_name, signature) => signature.length <= 72)

    const lite = parseAnchor(serialiseTrustAnchor(anchor))
    expect(await anchorFingerprint(lite)).toBe(trustAnchorFingerprint(anchor))
    const cases: Array<{ name: string, set: BundleSet, policy: SignaturePolicy, failed: string | undefined }> = [
      { name: 'genuine', set: genuine, policy: 'ed25519-only', failed: undefined },
      { name: 'genuine', set: genuine, policy: 'both-required', failed: undefined },
      { name: 'short of the threshold', set: shortOfThreshold, policy: 'ed25519-only', failed: 'cosignatures' },
      { name: 'short of the threshold', set: shortOfThreshold, policy: 'both-required', failed: 'cosignatures' },
      { name: 'stripped of ML-DSA-65', set: stripped, policy: 'ed25519-only', failed: undefined },
      { name: 'stripped of ML-DSA-65', set: stripped, policy: 'both-required', failed: 'checkpoint-signature' },
      { name: 'Ed25519 seal', set: edSealed, policy: 'ed25519-only', failed: undefined },
      { name: 'Ed25519 seal', set: edSealed, policy: 'both-required', failed: 'result' }
    ]
    for (const c of cases) {
      const mine = await verifyProofSet(c.set, [lite], { policy: c.policy })
      const theirs = verifyResultProofs(c.set, { anchors, policy: c.policy })
      const label = `${c.name} under ${c.policy}`
      expect({ label, failed: theirs.bundles[0]!.checks.find((x) => !x.ok)?.name }).toEqual({ label, failed: c.failed })
      expect({ label, failed: mine.bundles[0]!.checks.find((x) => !x.ok)?.name }).toEqual({ label, failed: c.failed })
      expect({ label, ok: mine.ok }).toEqual({ label, ok: c.failed === undefined })
    }

    // The page in Chromium, with the reader's policy chosen in its form.
    const dir = tempDir()
    const files = new Map<string, string>()
    for (const [name, set] of [['genuine', genuine], ['short', shortOfThreshold], ['stripped', stripped], ['ed-sealed', edSealed]] as const) {
      const file = join(dir, `${name}.json`)
      writeFileSync(file, JSON.stringify(set))
      files.set(name, file)
    }
    const context = await newContext(browser, { locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${fed.node('portal').httpUrl()}/verify?lang=en`)
    await page.locator('#computed-fingerprint').waitFor()
    expect(await page.locator('#computed-fingerprint').innerText()).toBe(trustAnchorFingerprint(anchor))
    const check = async (file: string, policy: SignaturePolicy): Promise<{ outcome: string | null, check: string | null }> => {
      await page.getByLabel('What the signatures must be').selectOption(policy)
      await page.locator('#outcome').evaluate((e) => {
        ;(e as unknown as { innerHTML: string }).innerHTML = ''
      })
      // The same file chosen again fires no change: empty the field first.
      await page.getByLabel('Or choose the file').setInputFiles([])
      await page.getByLabel('Or choose the file').setInputFiles(file)
      await page.locator('#outcome [data-outcome]').waitFor()
      const outcome = await page.locator('#outcome [data-outcome]').getAttribute('data-outcome')
      return { outcome, check: outcome === 'verified' ? null : await page.locator('[data-check]').getAttribute('data-check') }
    }
    expect(await check(files.get('genuine')!, 'both-required')).toEqual({ outcome: 'verified', check: null })
    expect(await check(files.get('genuine')!, 'ed25519-only')).toEqual({ outcome: 'verified', check: null })
    expect(await check(files.get('short')!, 'ed25519-only')).toEqual({ outcome: 'rejected', check: 'cosignatures' })
    expect(await page.locator('#outcome').innerText()).toContain('too few of the log\'s witnesses confirmed the checkpoint')
    expect(await check(files.get('stripped')!, 'ed25519-only')).toEqual({ outcome: 'verified', check: null })
    expect(await check(files.get('stripped')!, 'both-required')).toEqual({ outcome: 'rejected', check: 'checkpoint-signature' })
    expect(await check(files.get('ed-sealed')!, 'both-required')).toEqual({ outcome: 'rejected', check: 'result' })
    await context.close()
  })
})
