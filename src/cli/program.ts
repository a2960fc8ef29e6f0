/**
 * The `lifelong` command's parser: every command registered on one commander program. Kept apart
 * from main.ts (which runs it on the process's arguments) so that the same program can be parsed
 * more than once in one process.
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

/** A fresh `lifelong` program with every command (commander keeps parsed options on it: one per parse). */
export function lifelongProgram (): Command {
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
  return program
}
