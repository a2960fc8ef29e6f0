/** `lifelong verify <file>`: checks a credential as a relying party would, and prints every check. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { LifelongError } from '../../errors.ts'

export function registerVerifyCommands (program: Command): void {
  program.command('verify')
    .description('verify a credential: an SD-JWT VC (issued or presented) or a sealed ELM 3 credential')
    .argument('<file>', 'the credential file')
    .option('--offline', 'skip the checks that need the network (issuer keys, status list, type metadata)')
    .option('--json', 'print the checks as JSON')
    .action(async (file: string, opts: { offline?: boolean, json?: boolean }) => {
      const { verifierFor } = await import('../../bridges/verify.ts')
      let text: string
      try { text = readFileSync(file, 'utf8') } catch (err) { throw new LifelongError('invalid', 'VERIFY_FILE_UNREADABLE', `cannot read ${file}`, { cause: err }) }
      const verifier = verifierFor(text)
      if (verifier === undefined) throw new LifelongError('unsupported', 'VERIFY_FORMAT_UNKNOWN', `${file} is not a format lifelong verifies (SD-JWT VC, sealed ELM credential)`)
      const checks = await verifier.verify(text, { offline: opts.offline === true })
      const ok = checks.every((c) => c.ok)
      if (opts.json === true) process.stdout.write(JSON.stringify({ format: verifier.format, ok, checks }, null, 2) + '\n')
      else {
        process.stdout.write(`${verifier.format}\n`)
        for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`)
        process.stdout.write(ok ? 'verified\n' : 'NOT verified\n')
      }
      if (!ok) process.exitCode = 1
    })
}
