/**
 * Post-quantum hybrid signatures over real connections: in a federation whose operator and
 * nodes hold ML-DSA-65 keys beside their Ed25519 ones, checkpoints carry both log signatures,
 * witnesses cosign with both, and proof bundles verify under both policies. What an attacker
 * who can forge Ed25519 alone would try is refused under `both-required`: a checkpoint or
 * bundle stripped of its ML-DSA-65 lines, a manifest signed with Ed25519 only.
 */
import { describe, it, expect } from 'vitest'
import { formatCheckpoint } from '../../../src/core/log/checkpoint.ts'
import { ed25519NoteSigner, formatNote, parseNote, signNote } from '../../../src/core/log/note.ts'
import { openHybridCheckpoint } from '../../../src/core/log/hybrid.ts'
import { verifyProofBundle, type ProofBundle } from '../../../src/core/log/bundle.ts'
import { decodeEnvelope } from '../../../src/core/crypto/envelope.ts'
import { lifelong } from '../../../src/core/gen/proto.js'
import { signManifest } from '../../../src/core/federation/manifest.ts'
import { AddCheckpoint } from '../../../src/services/log/protocol.ts'
import { RemoteError } from '../../../src/net/rpc/status.ts'
import { LifelongError } from '../../../src/core/errors.ts'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spec, startTestFederation, tempDir, waitForMesh, ORG } from '../../helpers/federation.ts'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The note without its ML-DSA-65 lines (they are the only ones longer than an Ed25519 cosignature). */
function stripMlDsa (note: string): string {
  const parsed = parseNote(note)
  return formatNote({ text: parsed.text, signatures: parsed.signatures.filter(s => s.signature.length <= 72) })
}

async function codeOf (p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof RemoteError || err instanceof LifelongError) return err.code
    throw err
  }
  return 'no error'
}

describe('hybrid checkpoints in a federation', () => {
  it('signs and cosigns with both, verifies bundles under both policies, and refuses downgrades under both-required', async () => {
    const fed = await startTestFederation([spec('alpha', ['institution'], ORG.a), spec('beta', ['institution'], ORG.b), spec('gamma', ['registry'], ORG.c)], {
      hybrid: true,
      configOverrides: () => ({ signatures: { policy: 'both-required' }, log: { checkpointIntervalMs: 200, checkpointEveryEntries: 1, gossipIntervalMs: 60_000 } })
    })
    await waitForMesh(fed)
    const [alpha, beta, gamma] = ['alpha', 'beta', 'gamma'].map(s => fed.node(s)) as [ReturnType<typeof fed.node>, ReturnType<typeof fed.node>, ReturnType<typeof fed.node>]
    await alpha.log.transaction((tx) => {
      tx.log({ type: 'node.test-event', key: 'evt-1', record: new TextEncoder().encode('{"hello":"hybrid"}') })
    })
    const size = alpha.log.store.size
    const manifest = alpha.federation.current().manifest
    const keysOf = (peerId: string): { ed25519: Uint8Array, mlDsa?: Uint8Array } => {
      const m = manifest.members.find(x => x.peerId === peerId)!
      return { ed25519: m.publicKey, ...(m.mlDsaPublicKey === undefined ? {} : { mlDsa: m.mlDsaPublicKey }) }
    }
    const witnesses = [beta, gamma].map(n => ({ name: n.log.witness.name, ...keysOf(n.peerId) }))

    // Both witnesses cosign with Ed25519 and ML-DSA-65: they count under both-required.
    await until(async () => {
      await alpha.log.pushLatest()
      const latest = alpha.log.checkpointer.latest()
      return latest?.checkpoint.size === size && openHybridCheckpoint(latest.note, alpha.log.origin, keysOf(alpha.peerId), witnesses, 'both-required').witnesses.length === 2
    })
    const note = (await alpha.http.inject({ method: 'GET', url: '/log/checkpoint' })).body
    const opened = openHybridCheckpoint(note, alpha.log.origin, keysOf(alpha.peerId), witnesses, 'both-required')
    expect(opened.hybrid).toBe(true)
    expect(parseNote(note).signatures).toHaveLength(6) // 2 log lines + 2 × 2 cosignature lines

    // The proof bundle verifies under both policies, naming both witnesses.
    const bundle = (await alpha.http.inject({ method: 'GET', url: `/log/entries/${size - 1}/proof` })).json() as ProofBundle
    expect(bundle.log.mlDsaVerifierKey).toBeDefined()
    for (const policy of ['ed25519-only', 'both-required'] as const) {
      const v = verifyProofBundle(bundle, { anchors: [fed.plan.trustAnchor], minCosignatures: 2, policy })
      expect(v.checks.filter(c => !c.ok)).toEqual([])
    }

    // Downgrade 1: the checkpoint stripped of every ML-DSA-65 line. Still a good Ed25519 bundle;
    // refused under both-required.
    const stripped = { ...bundle, checkpoint: stripMlDsa(bundle.checkpoint) }
    expect(verifyProofBundle(stripped, { anchors: [fed.plan.trustAnchor], minCosignatures: 2, policy: 'ed25519-only' }).ok).toBe(true)
    const refused = verifyProofBundle(stripped, { anchors: [fed.plan.trustAnchor], policy: 'both-required' })
    expect(refused.ok).toBe(false)
    expect(refused.checks.find(c => !c.ok)?.name).toBe('checkpoint-signature')
    expect(refused.checks.find(c => !c.ok)?.detail).toMatch(/ML-DSA-65/)

    // The same through `lifelong verify --policy`, as a verifier decades later would run it.
    const dir = tempDir()
    const file = (name: string, content: unknown): string => {
      const f = join(dir, name)
      writeFileSync(f, JSON.stringify(content))
      return f
    }
    const args = (f: string, policy: string): string[] => ['verify', f, '--trust-anchor', fed.plan.trustAnchorFile, '--policy', policy, '--min-cosignatures', '2']
    // The refusal as a verifier's shell sees it; the other policies through the same program in this process.
    const strippedCli = await runCli(args(file('stripped.json', stripped), 'both-required'))
    const good = await runCliInProcess(args(file('hybrid.json', bundle), 'both-required'))
    const edOnlyCli = await runCliInProcess(args(join(dir, 'stripped.json'), 'ed25519-only'))
    const unknown = await runCliInProcess(args(join(dir, 'hybrid.json'), 'either'))
    expect(good.code).toBe(0)
    expect(good.stdout).toMatch(/with Ed25519 and ML-DSA-65 \(policy both-required\)/)
    expect(strippedCli.code).toBe(1)
    expect(strippedCli.stdout).toMatch(/NOT VERIFIED: check checkpoint-signature failed/)
    expect(edOnlyCli.code).toBe(0)
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/KEY_POLICY_UNKNOWN|unknown signature policy/)

    // Downgrade 2: the same manifest re-signed with the operator's Ed25519 key alone (what a
    // forger of Ed25519 could make, binding any key to any member). Refused under both-required.
    const payload = lifelong.federation.FederationManifest.decode(decodeEnvelope(Buffer.from(bundle.manifest as string, 'base64')).payload)
    const edOnlyManifest = signManifest(fed.plan.operatorKey, payload)
    const reManifested = { ...bundle, manifest: Buffer.from(edOnlyManifest).toString('base64') }
    expect(verifyProofBundle(reManifested, { anchors: [fed.plan.trustAnchor], policy: 'ed25519-only' }).ok).toBe(true)
    const noPqManifest = verifyProofBundle(reManifested, { anchors: [fed.plan.trustAnchor], policy: 'both-required' })
    expect(noPqManifest.checks.find(c => !c.ok)?.name).toBe('manifest')
    // A node under both-required refuses to adopt it either.
    const higher = signManifest(fed.plan.operatorKey, { ...payload, serial: Number(payload.serial) + 1 })
    expect(await codeOf(alpha.federation.offer(higher, 'test'))).toBe('MANIFEST_HYBRID_SIGNATURE_MISSING')

    // Downgrade 3: a witness under both-required refuses to cosign a checkpoint signed with Ed25519 alone.
    const edOnly = signNote(formatCheckpoint({ ...opened.checkpoint, extensions: [] }), [ed25519NoteSigner(alpha.log.origin, alpha.key.privateKey)])
    expect(await codeOf(alpha.client.call(beta.peerId, AddCheckpoint, { oldSize: size, consistencyProof: [], checkpoint: edOnly }))).toBe('LOG_HYBRID_SIGNATURE_MISSING')
  })
})
