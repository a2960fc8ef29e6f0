/** `lifelong import results <file>`: a results file into an institution node, all or nothing. */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import type { ImportProgress } from '../../services/registry/results/import-file.ts'
import { RESULTS_SCOPE } from '../../edges/registry/results/routes.ts'
import { nodeTargetOptions, nodeUrl, serviceToken } from './node-target.ts'

function progressBar (): ImportProgress {
  if (process.stderr.isTTY !== true) {
    let total = 0
    return {
      start (n) {
        total = n
        process.stderr.write(`checking ${n} entries…\n`)
      },
      advance (done, problems) {
        process.stderr.write(`  ${done}/${total} checked, ${problems} problem(s)\n`)
      },
      stop () {}
    }
  }
  const bar = new cliProgress.SingleBar({ format: 'checking {bar} {value}/{total} entries | {problems} problem(s) | {eta_formatted} left', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
  return {
    start (n) {
      bar.start(n, 0, { problems: 0 })
    },
    advance (done, problems) {
      bar.update(done, { problems })
    },
    stop () {
      bar.stop()
    }
  }
}

/** Adds `results` to the `import` command (the catalogue import is beside it). */
export function registerImportResultsCommand (program: Command): void {
  const imp = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('import data into a running node')
  nodeTargetOptions(
    imp.command('results')
      .description('issue, correct or annul results from a JSON file, all or nothing; running it again changes nothing')
      .argument('<file>', 'JSON: { "learners": [...], "results": [...] }'),
    RESULTS_SCOPE
  )
    .option('--report <file>', 'where to write the validation report when there are problems (default <file>.report.json)')
    .action(async (file: string, opts) => {
      const url = nodeUrl(opts)
      const token = await serviceToken(opts, RESULTS_SCOPE)
      const { importResults, readImportFile } = await import('../../services/registry/results/import-file.ts')
      const batch = readImportFile(file)
      const outcome = await importResults(url, token, batch, progressBar())
      if (!outcome.ok) {
        const reportFile = (opts.report as string | undefined) ?? `${file}.report.json`
        writeFileSync(reportFile, JSON.stringify({ file, entries: outcome.entries, stored: 0, problems: outcome.problems }, null, 2) + '\n')
        process.stderr.write(`error RESULTS_REJECTED: nothing was stored; ${outcome.problems.length} problem(s) in ${outcome.entries} entries (full report: ${reportFile})\n`)
        for (const p of outcome.problems.slice(0, 20)) process.stderr.write(`  ${p.path}: ${p.code} ${p.message}\n`)
        if (outcome.problems.length > 20) process.stderr.write(`  … and ${outcome.problems.length - 20} more\n`)
        process.exitCode = 1
        return
      }
      const r = outcome.report!
      const count = (o: string): number => r.results.filter((x) => x.outcome === o).length
      process.stdout.write(
        `imported ${outcome.entries} entries: learners ${r.learners.created} new, ${r.learners.updated} updated, ${r.learners.unchanged} unchanged; results ${count('issued')} issued, ${count('corrected')} corrected, ${
          count('annulled')
        } annulled, ${count('unchanged')} unchanged\n`
      )
    })
}
