/**
 * `lifelong check --config <file>`: what a node needs to take part in its federation, checked
 * one by one, each finding with the next step. Offline: the config, the node key, the manifest
 * (signature, federation, expiry, this node listed with its roles, the roles the node relies on
 * present), the token issuers its write routes need. Online: the node answers and is ready, and
 * for an institution, the registry knows it. Exit code 1 while anything is missing.
 */
import { actingFor } from '../../core/federation/primaries.ts'
import { existsSync, readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { loadConfig, type NodeConfig } from '../../core/config/config.ts'
import { readKeyFile } from '../../core/crypto/key-file.ts'
import { peerIdFromRawPublicKey } from '../../core/crypto/ed25519.ts'
import { openManifest, type Manifest } from '../../core/federation/manifest.ts'
import { LifelongError, toLifelongError } from '../../core/errors.ts'

/** One finding: `ok`, `note` (works, but worth knowing) or `missing` (with what to do). */
export interface Finding {
  state: 'ok' | 'note' | 'missing'
  what: string
  detail: string
  next?: string
}

const ok = (what: string, detail: string): Finding => ({ state: 'ok', what, detail })
const note = (what: string, detail: string, next?: string): Finding => ({ state: 'note', what, detail, ...(next === undefined ? {} : { next }) })
const missing = (what: string, detail: string, next: string): Finding => ({ state: 'missing', what, detail, next })

function httpBase (config: NodeConfig): string {
  return config.http.publicUrl ?? `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`
}

/** What the roles of a node rely on among the other members. */
const NEEDS: Record<string, Array<{ role: string, why: string }>> = {
  institution: [{ role: 'registry', why: 'catalogue imports publish to it and results are checked against it' }, { role: 'index', why: 'result pointers go to it, so that portals find them' }],
  accreditor: [{ role: 'registry', why: 'decisions are recorded there' }],
  portal: [{ role: 'index', why: 'it finds a learner\'s results through it' }]
}

function offline (file: string, config: NodeConfig): { findings: Finding[], manifest?: Manifest, peerId?: string } {
  const findings: Finding[] = [ok('config', `${file}: ${config.name} (${config.organisationNumber}), roles ${config.roles.join(', ')}`)]
  let peerId: string | undefined
  try {
    peerId = peerIdFromRawPublicKey(readKeyFile(config.keyFile).publicKeyRaw).toString()
    findings.push(ok('node key', `${config.keyFile}, peer ID ${peerId}`))
  } catch (err) {
    findings.push(missing('node key', toLifelongError(err).message, 'lifelong init creates it; a node key is never replaced'))
  }
  const m = manifestFindings(config, peerId)
  findings.push(...m.findings)
  findings.push(...localFindings(file, config))
  return { findings, ...(m.manifest === undefined ? {} : { manifest: m.manifest }), ...(peerId === undefined ? {} : { peerId }) }
}

function manifestFindings (config: NodeConfig, peerId: string | undefined): { findings: Finding[], manifest?: Manifest } {
  const findings: Finding[] = []
  if (!existsSync(config.federation.manifestFile)) {
    findings.push(
      missing(
        'manifest',
        `no file at ${config.federation.manifestFile}`,
        `the operator collects the member entries (lifelong manifest new), signs them (lifelong manifest sign) and hands out the file; place it at ${config.federation.manifestFile}`
      )
    )
    return { findings }
  }
  let manifest: Manifest
  try {
    manifest = openManifest(new Uint8Array(readFileSync(config.federation.manifestFile)), config.federation.operatorKeys, config.federation.id).manifest
  } catch (err) {
    const e = toLifelongError(err)
    findings.push(missing('manifest', `${e.code}: ${e.message}`, 'ask the operator for a manifest of this federation signed with a key listed in federation.operatorKeys'))
    return { findings }
  }
  const now = Date.now()
  if (manifest.expiresAt <= now) findings.push(missing('manifest', `serial ${manifest.serial} expired at ${new Date(manifest.expiresAt).toISOString()}`, 'the operator signs a new one (serial + 1) and places it on any member'))
  else findings.push(ok('manifest', `serial ${manifest.serial}, ${manifest.members.length} members, expires ${new Date(manifest.expiresAt).toISOString()}`))
  const self = manifest.members.find((m) => m.peerId === peerId)
  if (self === undefined) {
    findings.push(missing('membership', `peer ID ${peerId ?? '?'} is not in the manifest`, 'send the member entry lifelong init printed (or wrote with --member-entry) to the operator, who adds it and signs the manifest again'))
  } else {
    const lacking = config.roles.filter((r) => !self.roles.includes(r))
    if (lacking.length > 0) findings.push(missing('membership', `the manifest lists this node with roles ${self.roles.join(', ')}, not ${lacking.join(', ')}`, 'ask the operator to list every role of the config'))
    else findings.push(ok('membership', `listed as ${self.name} with roles ${self.roles.join(', ')}`))
  }
  for (const role of config.roles) {
    for (const need of NEEDS[role] ?? []) {
      // The member that acts for the role: a standby or a fenced former primary does not (core/federation/primaries.ts).
      const members = actingFor(manifest, manifest.members, need.role as never)
      if (members.length === 0) findings.push(missing(`${need.role} node`, `no member with the role ${need.role}: ${need.why}`, `the operator runs one (lifelong init --role ${need.role} …) and adds it to the manifest`))
      else findings.push(ok(`${need.role} node`, members.map((m) => `${m.name} ${m.httpBaseUrl}`).join(', ')))
    }
  }
  return { findings, manifest }
}

function localFindings (file: string, config: NodeConfig): Finding[] {
  const findings: Finding[] = []
  const services = config.auth.issuers.filter((i) => i.principal === 'service')
  const writes = config.roles.filter((r) => ['institution', 'registry', 'accreditor', 'index'].includes(r))
  if (writes.length > 0) {
    if (services.length === 0) {
      findings.push(
        missing(
          'service tokens',
          `no service token issuer in auth.issuers: the write routes of ${writes.join(', ')} (imports, the registry's institution data, decisions) refuse every call`,
          `lifelong token keygen --out tokens.key, then lifelong token trust --config ${file} --key tokens.key --issuer <name>, and restart the node (or list your identity provider's issuer)`
        )
      )
    } else findings.push(ok('service tokens', services.map((i) => `${i.issuer}${i.development ? ' (development)' : ''}`).join(', ')))
  }
  if (config.federation.trustAnchorFile === undefined) {
    findings.push(note('trust anchor', 'none configured: verifiers cannot pin the federation from this node', 'the operator writes one (lifelong manifest anchor); set federation.trustAnchorFile or pass --trust-anchor to init'))
  }
  if (config.identifiers.allowSynthetic) findings.push(note('synthetic IDs', 'identifiers.allowSynthetic is on: only for test and demo federations'))
  return findings
}

async function getJson (url: string): Promise<{ status: number, body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  return { status: res.status, body: await res.json().catch(() => undefined) }
}

async function online (file: string, config: NodeConfig, manifest: Manifest | undefined, waitSeconds: number): Promise<Finding[]> {
  const findings: Finding[] = []
  const base = httpBase(config)
  const deadline = Date.now() + waitSeconds * 1000
  let ready: { status: number, body: any } | undefined
  let reason = ''
  for (;;) {
    try {
      ready = await getJson(`${base}/ready`)
      if (ready.status === 200) break
      reason = `not ready: ${JSON.stringify(ready.body?.checks ?? {})}`
    } catch (err) {
      reason = `not answering (${(err as Error).message})`
      ready = undefined
    }
    if (Date.now() >= deadline) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  if (ready?.status === 200) findings.push(ok('node', `${base} is ready`))
  else {
    findings.push(missing('node', `${base} ${reason}`, `start it: lifelong start --config ${file}`))
    return findings
  }
  if (config.roles.includes('institution') && manifest !== undefined) {
    const registry = actingFor(manifest, manifest.members, 'registry')[0]
    if (registry !== undefined) {
      try {
        const r = await getJson(`${registry.httpBaseUrl}/education/crosswalk?organisationNumber=${config.organisationNumber}`)
        const ids: string[] = r.body?.institutions ?? []
        if (ids.length > 0) findings.push(ok('registered', `the registry knows ${config.organisationNumber} as ${ids.join(', ')}`))
        else {
          findings.push(
            missing(
              'registered',
              `the registry knows no institution with organisation number ${config.organisationNumber}: catalogue imports are refused (EDUCATION_NOT_AN_INSTITUTION)`,
              `the operator runs lifelong registry add-institution --node ${registry.httpBaseUrl} --institution-config ${file} --short-name <short> --category <category> --valid-from <date>`
            )
          )
        }
      } catch (err) {
        findings.push(missing('registered', `the registry at ${registry.httpBaseUrl} does not answer (${(err as Error).message})`, 'the operator starts the registry node'))
      }
    }
  }
  return findings
}

export function registerCheckCommand (program: Command): void {
  program.command('check')
    .description('check a node\'s setup in its federation and say what is missing, with the next step for each')
    .requiredOption('--config <file>', 'the node\'s config file')
    .option('--offline', 'only the files: do not ask the node or the registry')
    .option('--wait <seconds>', 'wait up to this long for the node to be ready', (v) => Number.parseInt(v, 10), 0)
    .option('--json', 'print the findings as JSON')
    .action(async (opts) => {
      const config = loadConfig(opts.config)
      const { findings, manifest } = offline(opts.config, config)
      if (opts.offline !== true) findings.push(...await online(opts.config, config, manifest, opts.wait))
      if (opts.json === true) process.stdout.write(JSON.stringify(findings, null, 2) + '\n')
      else {
        for (const f of findings) {
          process.stdout.write(`${f.state === 'ok' ? 'ok     ' : f.state === 'note' ? 'note   ' : 'MISSING'} ${f.what}: ${f.detail}\n`)
          if (f.next !== undefined) process.stdout.write(`        next: ${f.next}\n`)
        }
      }
      const lacking = findings.filter((f) => f.state === 'missing')
      if (lacking.length > 0) throw new LifelongError('invalid', 'CLI_CHECK_FAILED', `${lacking.length} thing(s) missing: ${lacking.map((f) => f.what).join(', ')}`)
    })
}
