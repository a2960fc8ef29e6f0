#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
/**
 * The `lifelong` command. Argument parsing only: every command calls one function elsewhere.
 */
import { Command } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { registerNodeCommands } from './commands/node.ts'
import { registerManifestCommands } from './commands/manifest.ts'
import { registerImportCommands } from './commands/import.ts'
import { registerImportResultsCommand } from './commands/import-results.ts'
import { registerLogCommands } from './commands/log.ts'
import { registerVerifyCommand } from './commands/verify.ts'
import { registerTrustCommands } from './commands/trust.ts'
import { registerEmrexCommands } from './commands/emrex.ts'
import { registerLearnerCommands } from './commands/learners.ts'
import { registerTokenCommands } from './commands/token.ts'
import { registerRegistryCommands } from './commands/registry.ts'
import { registerCheckCommand } from './commands/check.ts'
import { registerBackupCommands } from './commands/backup.ts'
import { registerStandbyCommands } from './commands/standby.ts'
import { registerRotateCommands } from './commands/rotate.ts'
import { registerIssuerKeyCommands } from './commands/issuer-keys.ts'
import { endQuietlyOnClosedPipe, reportError } from './output.ts'

endQuietlyOnClosedPipe()

const program = new Command()
  .name('lifelong')
  .description('A node of the lifelong federation: national registries for lifelong learning')
  .version(pkg.version)
  .showHelpAfterError()

registerNodeCommands(program)
registerManifestCommands(program)
registerImportCommands(program)
registerImportResultsCommand(program)
registerLogCommands(program)
registerVerifyCommand(program)
registerTrustCommands(program)
registerEmrexCommands(program)
registerLearnerCommands(program)
registerTokenCommands(program)
registerRegistryCommands(program)
registerCheckCommand(program)
registerBackupCommands(program)
registerStandbyCommands(program)
registerRotateCommands(program)
registerIssuerKeyCommands(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  process.exitCode = reportError(err)
}
