/** `lifelong verify <file>`: verification under a pinned trust anchor, one verifier per document format. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { parsePublicKey } from '../../core/crypto/ed25519.ts'
import { parsePqPublicKey } from '../../core/crypto/ml-dsa.ts'
import { SIGNATURE_POLICIES, parseSignaturePolicy } from '../../core/crypto/policy.ts'
import { knownFormats, verifyDocument, type VerifiedItem } from '../../services/verify/verifiers.ts'
import { createSafeFetch } from '../../services/verify/fetch.ts'
import { resolveTrust } from '../../services/verify/trust.ts'
import { TrustStore, trustStoreDir } from '../../services/verify/trust-store.ts'
import { LifelongError } from '../../core/errors.ts'
import { printJson } from '../output.ts'

const repeat = (v: string, prev: string[] = []): string[] => [...prev, v]

/** The lines an employer compares with the PDF. */
function describe (item: VerifiedItem, n: number, of: number): string {
  const rows: Array<[string, string | undefined]> = [
    ['learner', item.learner === undefined ? undefined : `${item.learner}${item.birthDate === undefined ? '' : `, born ${item.birthDate}`}`],
    ['title', item.title],
    ['grade', item.grades === undefined || item.grades.length === 0 ? undefined : item.grades.join('; ')],
    ['credits', item.credits],
    ['achieved', item.achievedOn],
    ['issued', item.issuedOn],
    ['valid', item.validFrom === undefined ? undefined : `from ${item.validFrom}${item.validUntil === undefined ? '' : ` until ${item.validUntil}`}`],
    ['status', item.status],
    ['issuer', item.issuer === undefined ? undefined : `${item.issuer}, as named when issued`],
    ['vouched for by', item.vouchedBy],
    ['entry', item.entry === undefined ? undefined : `${item.entry.type} ${item.entry.key}`],
    ['log position', item.log === undefined ? undefined : `entry ${item.log.index} of tree size ${item.log.treeSize}, checkpoint origin ${item.log.origin}, logged ${new Date(item.log.loggedAt).toISOString()}`],
    ['not disclosed', item.notDisclosed === undefined || item.notDisclosed.length === 0 ? undefined : item.notDisclosed.join(', ')]
  ]
  const head = `${of > 1 ? `${n}. ` : ''}${item.kind}`
  return `${head}\n${rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `  ${k.padEnd(15)} ${v as string}`).join('\n')}\n`
}

export function registerVerifyCommand (program: Command): void {
  program.command('verify')
    .description(`verify a document under a pinned trust anchor (formats: ${knownFormats().join(', ')}); refuses when none is pinned`)
    .argument('<file>', 'the document, e.g. a proof bundle, equivocation evidence, an SD-JWT VC or a sealed ELM credential')
    .option('--trust-anchor <file|url>', 'trust this federation anchor for this run instead of the trust store (repeatable)', repeat)
    .option('--operator-key <key>', 'trust this operator key "ed25519:<base64>" (or its ML-DSA-65 key "ml-dsa-65:<base64>") for this run, as an explicit anchor of any federation (repeatable)', repeat)
    .option('--manifest <file|url>', 'for credentials: a signed manifest to use, checked under the anchor (repeatable)', repeat)
    .option('--trust-store <dir>', 'where pinned anchors are kept (default $LIFELONG_TRUST_STORE, else ~/.config/lifelong/trust)')
    .option('--offline', 'no network: for credentials, skip the status list and type metadata and do not refresh the manifest')
    .option('--allow-insecure-fetch', 'allow http and loopback or private addresses when fetching (development federations only)')
    .option('--min-cosignatures <n>', 'fewest valid witness cosignatures required', (v) => Number.parseInt(v, 10), 0)
    .option('--policy <policy>', `what is required of signatures: ${SIGNATURE_POLICIES.join(' or ')} (manifest, checkpoint, cosignatures, result seals; docs/SECURITY.md)`, parseSignaturePolicy, 'ed25519-only')
    .option('--json', 'print the checks and what was verified as JSON')
    .action(async (file: string, opts) => {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (err) {
        throw new LifelongError('invalid', 'VERIFY_UNREADABLE', `cannot read ${file}`, { cause: err })
      }
      const fetch = createSafeFetch({ allowInsecure: opts.allowInsecureFetch === true })
      const offline = opts.offline === true
      const store = new TrustStore(trustStoreDir(opts.trustStore))
      const result = await verifyDocument(text, {
        trust: async (need) =>
          await resolveTrust({
            trustAnchors: opts.trustAnchor ?? [],
            operatorKeys: ((opts.operatorKey ?? []) as string[]).filter((k) => !k.startsWith('ml-dsa-65:')).map(parsePublicKey),
            operatorMlDsaKeys: ((opts.operatorKey ?? []) as string[]).filter((k) => k.startsWith('ml-dsa-65:')).map(parsePqPublicKey),
            manifests: opts.manifest ?? [],
            store,
            fetch,
            offline,
            needManifests: need.manifests
          }),
        minCosignatures: opts.minCosignatures,
        policy: opts.policy,
        offline,
        fetch
      })
      const failed = result.checks.find(c => !c.ok)
      if (opts.json === true) printJson({ format: result.format, ok: result.ok, failed: failed?.name, checks: result.checks, verified: result.verified, ...(result.trust === undefined ? {} : { trust: result.trust }) })
      else {
        process.stdout.write(`${result.format}\n`)
        for (const s of result.trust?.sources ?? []) process.stdout.write(`  trust: ${s.federation === undefined ? 'operator key given' : `${s.federation} ${s.fingerprint ?? ''}`} (${s.source})\n`)
        for (const c of result.checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`)
        if (!result.ok) { for (const note of result.trust?.notes ?? []) process.stdout.write(`  note: ${note}\n`) }
        if (result.verified.length > 0) {
          process.stdout.write('\nWhat was verified (compare it with the document you were given):\n')
          result.verified.forEach((item, i) => {
            process.stdout.write(describe(item, i + 1, result.verified.length))
          })
          process.stdout.write('\n')
        }
        process.stdout.write(result.ok ? 'VERIFIED\n' : `NOT VERIFIED: check ${failed?.name ?? '?'} failed\n`)
      }
      if (!result.ok) process.exitCode = 1
    })
}
