/**
 * `lifelong registry add-institution`: the operator registers an institution at the National
 * Education Registry (POST /education/admin/institutions, a service token with the scope
 * education.admin). An institution node can publish its catalogue only once the registry knows
 * an institution with its organisation number (EDUCATION_NOT_AN_INSTITUTION otherwise). Safe to
 * run again: an organisation number the registry already knows is reported, not added twice.
 */
import type { Command } from 'commander'
import { loadConfig } from '../../core/config/config.ts'
import { LifelongError, receivedCode } from '../../core/errors.ts'
import { EDUCATION_SCOPES } from '../../edges/registry/education/routes.ts'
import { INSTITUTION_CATEGORIES } from '../../services/registry/education/model.ts'
import { nodeTargetOptions, nodeUrl, serviceToken } from './node-target.ts'
import { missingOptions } from './required.ts'

async function call (url: string, init?: RequestInit): Promise<any> {
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (err) {
    throw new LifelongError('unavailable', 'IMPORT_NODE_UNREACHABLE', `cannot reach the registry node at ${url}: is it running? (lifelong start --config <its config>)`, { cause: err })
  }
  const body = await res.json().catch(() => ({})) as { code?: string, message?: string }
  if (!res.ok) throw new LifelongError(res.status === 401 ? 'unauthenticated' : res.status === 403 ? 'forbidden' : 'invalid', receivedCode(body.code, 'IMPORT_REFUSED'), body.message ?? `HTTP ${res.status}`)
  return body
}

export function registerRegistryCommands (program: Command): void {
  const registry = program.command('registry').description('the operator\'s data at the National Education Registry')

  nodeTargetOptions(
    registry.command('add-institution')
      .description('register an institution at the registry node (its national ID is minted); needed before its node can import a catalogue'),
    EDUCATION_SCOPES.admin
  )
    .option('--institution-config <file>', 'take the name and organisation number from the institution node\'s config')
    .option('--org-number <number>', '9-digit organisation number of the institution')
    .option('--name <name>', 'name in Norwegian bokmål')
    .option('--name-en <name>', 'name in English')
    .option('--short-name <name>', 'short name (UiO, NTNU, …)')
    .option('--category <category>', `one of ${INSTITUTION_CATEGORIES.join(', ')}`)
    .option('--self-accreditation <nkr level>', 'the NKR level up to which it accredits its own programmes (universities 8)')
    .option('--dbh <code>', 'DBH institution code (4 digits)')
    .option('--fs <number>', 'FS institution number (3 digits)')
    .option('--valid-from <date>', 'since when it exists (YYYY-MM-DD)')
    .action(async (opts) => {
      const own = opts.institutionConfig === undefined ? undefined : loadConfig(opts.institutionConfig)
      const organisationNumber: string | undefined = opts.orgNumber ?? own?.organisationNumber
      const name: string | undefined = opts.name ?? own?.name
      missingOptions({ '--org-number (or --institution-config)': organisationNumber, '--name (or --institution-config)': name, '--short-name': opts.shortName, '--category': opts.category, '--valid-from': opts.validFrom })
      if (!(INSTITUTION_CATEGORIES as readonly string[]).includes(opts.category)) {
        throw new LifelongError('invalid', 'CLI_CATEGORY_INVALID', `--category ${String(opts.category)} does not exist; the categories are ${INSTITUTION_CATEGORIES.join(', ')}`)
      }
      const base = nodeUrl(opts)
      const known = await call(`${base}/education/crosswalk?organisationNumber=${encodeURIComponent(organisationNumber!)}`) as { institutions: string[] }
      if (known.institutions.length > 0) {
        process.stdout.write(`${name!} (${organisationNumber!}) is already registered as ${known.institutions.join(', ')}\n`)
        return
      }
      const token = await serviceToken(opts, EDUCATION_SCOPES.admin)
      const body = {
        organisationNumber,
        name: { nb: name, ...(opts.nameEn === undefined ? {} : { en: opts.nameEn }) },
        shortName: opts.shortName,
        category: opts.category,
        ...(opts.selfAccreditation === undefined ? {} : { selfAccreditation: { upToLevel: opts.selfAccreditation } }),
        ...(opts.dbh === undefined ? {} : { dbhCode: opts.dbh }),
        ...(opts.fs === undefined ? {} : { fsNumber: opts.fs }),
        validFrom: opts.validFrom
      }
      const res = await call(`${base}/education/admin/institutions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }) as { institution: { id: string } }
      process.stdout.write(`registered ${name!} (${organisationNumber!}) as ${res.institution.id}\n`)
    })

  registry.command('offering-id')
    .description('print the national ID the registry minted for an institution\'s offering (its local code), e.g. for a results file')
    .option('--node <url>', 'the registry node\'s HTTP base URL (default: from --config)')
    .option('--config <file>', 'the registry node\'s config file')
    .option('--org-number <number>', 'the owner\'s organisation number')
    .option('--local-code <code>', 'the offering\'s local code (FS course or programme code)')
    .option('--local-version <code>', 'the version code', '1')
    .action(async (opts) => {
      missingOptions({ '--org-number': opts.orgNumber, '--local-code': opts.localCode })
      const base = nodeUrl(opts)
      const owner = await call(`${base}/education/crosswalk?organisationNumber=${encodeURIComponent(opts.orgNumber)}`) as { institutions: string[] }
      const ids: string[] = []
      for (const institution of owner.institutions) {
        const r = await call(`${base}/education/crosswalk?institution=${encodeURIComponent(institution)}&localCode=${encodeURIComponent(opts.localCode)}&localVersion=${encodeURIComponent(opts.localVersion)}`) as { offerings: string[] }
        ids.push(...r.offerings)
      }
      if (ids.length === 0) {
        throw new LifelongError('not-found', 'EDUCATION_UNKNOWN_OFFERING', `the registry has no offering ${opts.localCode as string} of ${opts.orgNumber as string}: import the catalogue first (lifelong import catalogue)`)
      }
      process.stdout.write(`${ids.join('\n')}\n`)
    })
}
