/** `lifelong emrex export | verify | cert`: EMREX tools for operators and tests. */
import type { Command } from 'commander'
import { LifelongError } from '../../core/errors.ts'

const list = (value: string, previous: string[] = []): string[] => [...previous, value]

export function registerEmrexCommands (program: Command): void {
  const emrex = program.command('emrex').description('EMREX: signed ELMO 1.7 documents')

  emrex.command('export')
    .description('write a learner\'s results as a signed ELMO 1.7 document')
    .requiredOption('--learner <id>', 'the portal\'s opaque learner ID (never a national ID)')
    .requiredOption('--out <file>', 'ELMO XML file to write')
    .option('--config <file>', 'portal config with an emrex section (certificate and key)')
    .option('--cert <file>', 'signing certificate (PEM), instead of --config')
    .option('--key <file>', 'its private key (PEM), instead of --config')
    .option('--results <file>', 'the learner\'s verified results as JSON (bridge model); default: development sample learners')
    .option('--no-pdf', 'leave out the PDF transcript attachment')
    .option('--no-national-id', 'leave out the national identity number')
    .action(async (opts) => {
      const { exportElmo } = await import('../../services/bridges/emrex/tools.ts')
      const r = await exportElmo({
        learnerId: opts.learner,
        out: opts.out,
        configFile: opts.config,
        certificateFile: opts.cert,
        keyFile: opts.key,
        resultsFile: opts.results,
        pdf: opts.pdf !== false,
        nationalIdentifier: opts.nationalId !== false
      })
      process.stdout.write(`signed ELMO 1.7 (${r.reports} report(s), ${r.bytes} bytes, SHA-256 ${r.sha256}) → ${r.out}\nresults from: ${r.source}\n`)
    })

  emrex.command('verify')
    .description('verify the signature of an ELMO file against trusted certificates')
    .argument('<file>', 'ELMO XML file')
    .requiredOption('--cert <file>', 'trusted certificate (PEM), repeatable', list)
    .option('--retired <file@time>', 'a certificate the provider retired at an ISO 8601 time: valid only for documents generated before it (repeatable)', list)
    .action(async (file: string, opts) => {
      const { verifyElmoFile } = await import('../../services/bridges/emrex/tools.ts')
      const retired = ((opts.retired ?? []) as string[]).map((r) => {
        const at = r.lastIndexOf('@')
        const retiredAt = Date.parse(r.slice(at + 1))
        if (at <= 0 || Number.isNaN(retiredAt)) throw new LifelongError('invalid', 'CLI_RETIRED_CERTIFICATE_INVALID', `--retired ${r}: expected <certificate file>@<ISO 8601 time>`)
        return { file: r.slice(0, at), retiredAt }
      })
      const r = verifyElmoFile(file, opts.cert, retired)
      process.stdout.write(`verified: ${r.signatureAlgorithm} with certificate ${r.certificate}; ${r.reports} report(s), ${r.opportunities} top-level learning opportunities\n`)
      for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`)
    })

  emrex.command('cert')
    .description('create an RSA key (mode 0600) and a self-signed certificate for signing ELMO')
    .requiredOption('--cert <file>', 'certificate file to write (PEM)')
    .requiredOption('--key <file>', 'key file to write (PEM)')
    .requiredOption('--name <cn>', 'subject common name')
    .option('--org <name>', 'subject organisation')
    .option('--country <cc>', 'subject country', 'NO')
    .option('--days <n>', 'validity in days', (v) => Number.parseInt(v, 10), 365)
    .option('--bits <n>', 'RSA key size: 2048, 3072 or 4096', (v) => Number.parseInt(v, 10), 3072)
    .action(async (opts) => {
      const { createCertificate } = await import('../../services/bridges/emrex/tools.ts')
      const r = await createCertificate({ certificateFile: opts.cert, keyFile: opts.key, commonName: opts.name, organisation: opts.org, country: opts.country, validDays: opts.days, modulusLength: opts.bits })
      process.stdout.write(`certificate ${opts.cert} (SHA-256 ${r.fingerprint256}), key ${opts.key} (mode 0600)\n`)
    })
}
