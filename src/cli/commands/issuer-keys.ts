/** `lifelong issuer-keys next | rollover | retire | list`: the rollover of a portal's EUDI issuer key and EMREX certificate (docs/OPERATIONS.md, "Issuer key rollover"). */
import type { Command } from 'commander'
import { loadConfig } from '../../core/config/config.ts'
import { printJson } from '../output.ts'

const setOption = '--set <set>'
const setHelp = 'eudi (the SD-JWT VC issuer key) or emrex (the ELMO signing certificate)'

export function registerIssuerKeyCommands (program: Command): void {
  const keys = program.command('issuer-keys').description('roll over a portal\'s EUDI credential issuer key or EMREX signing certificate while it serves')

  keys.command('next')
    .description('add the next key: published beside the active one (JWKS, /emrex/certificates) but not yet signing')
    .requiredOption('--config <file>', 'the portal\'s config file (its data directory holds the key sets)')
    .requiredOption(setOption, setHelp)
    .option('--key <file>', 'PEM PKCS#8 private key (EMREX: required; EUDI: a new P-256 key is made when absent)')
    .option('--cert <file>', 'EUDI: the new key\'s certificate chain (leaf first); EMREX: its certificate (PEM)')
    .action(async (opts) => {
      const { parseKeySetName, stageNextKey } = await import('../../services/bridges/rollover.ts')
      const view = stageNextKey({ config: loadConfig(opts.config), set: parseKeySetName(opts.set) }, { keyFile: opts.key, certificateFile: opts.cert })
      printJson(view)
    })

  keys.command('rollover')
    .description('the next key signs from now on; the active one stays published as previous until retired')
    .requiredOption('--config <file>', 'the portal\'s config file')
    .requiredOption(setOption, setHelp)
    .action(async (opts) => {
      const { parseKeySetName, rolloverKeys } = await import('../../services/bridges/rollover.ts')
      printJson(rolloverKeys({ config: loadConfig(opts.config), set: parseKeySetName(opts.set) }))
    })

  keys.command('retire')
    .description('stop publishing the previous key; print it with its retirement time for the manifest (EUDI) or the EMREX registry')
    .requiredOption('--config <file>', 'the portal\'s config file')
    .requiredOption(setOption, setHelp)
    .option('--id <id>', 'the key to retire (default: every previous key)')
    .option('--min-overlap-hours <n>', 'refuse to retire a key sooner than this after the rollover', (v) => Number.parseFloat(v), 24)
    .action(async (opts) => {
      const { parseKeySetName, retireKeys } = await import('../../services/bridges/rollover.ts')
      printJson(retireKeys({ config: loadConfig(opts.config), set: parseKeySetName(opts.set), ...(opts.id === undefined ? {} : { id: opts.id }), minOverlapMs: opts.minOverlapHours * 3_600_000 }))
    })

  keys.command('list')
    .description('the keys of a set and their states')
    .requiredOption('--config <file>', 'the portal\'s config file')
    .requiredOption(setOption, setHelp)
    .action(async (opts) => {
      const { listKeys, parseKeySetName } = await import('../../services/bridges/rollover.ts')
      printJson(listKeys({ config: loadConfig(opts.config), set: parseKeySetName(opts.set) }))
    })
}
