/** `lifelong verify <file>`: offline verification, one verifier per document format. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { parsePublicKey } from '../../crypto/ed25519.ts'
import { knownFormats, verifyDocument } from '../../verify/verifiers.ts'
import { LifelongError } from '../../errors.ts'
import { printJson } from '../output.ts'

export function registerVerifyCommand (program: Command): void {
  program.command('verify')
    .description(`verify a document (formats: ${knownFormats().join(', ')}); log documents offline, credentials fetch issuer keys and status unless --offline`)
    .argument('<file>', 'the document, e.g. a proof bundle, equivocation evidence, an SD-JWT VC or a sealed ELM credential')
    .option('--offline', 'for credentials: skip the checks that need the network (issuer keys, status list, type metadata)')
    .option('--operator-key <key>', 'require the key membership to be signed by this operator key "ed25519:<base64>" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--min-cosignatures <n>', 'fewest valid witness cosignatures required', (v) => Number.parseInt(v, 10), 0)
    .option('--json', 'print the checks as JSON')
    .action(async (file: string, opts) => {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (err) {
        throw new LifelongError('invalid', 'VERIFY_UNREADABLE', `cannot read ${file}`, { cause: err })
      }
      const { format, checks } = await verifyDocument(text, {
        trustedOperatorKeys: (opts.operatorKey as string[] | undefined)?.map(parsePublicKey),
        minCosignatures: opts.minCosignatures,
        offline: opts.offline === true
      })
      const failed = checks.find(c => !c.ok)
      if (opts.json === true) printJson({ format, ok: failed === undefined, failed: failed?.name, checks })
      else {
        process.stdout.write(`${format}\n`)
        for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`)
        process.stdout.write(failed === undefined ? 'VERIFIED\n' : `NOT VERIFIED: check ${failed.name} failed\n`)
      }
      if (failed !== undefined) process.exitCode = 1
    })
}
