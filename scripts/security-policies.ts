/**
 * The route policy tables of docs/SECURITY.md, generated from the route tables (`node.routes`)
 * of a node of every role, and of the portal's OOTS listener (its own listener, for the national
 * access point), so that the document says what the code enforces:
 * `node scripts/security-policies.ts` prints them, `--write` puts them into docs/SECURITY.md
 * between its markers. test/integration/api/route-policy.test.ts builds the same nodes, checks
 * every route against every kind of caller and fails when the document differs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planLocalFederation, type LocalFederationPlan, type LocalNodeSpec, type PlanOptions } from '../src/demo/local-federation.ts'
import { prepareLocalOots } from '../src/demo/oots/local.ts'
import { createSelfSignedCertificate, writeCertificateFiles } from '../src/services/bridges/emrex/certificate.ts'
import { createNode, type LifelongNode } from '../src/node.ts'
import type { RouteEntry } from '../src/edges/http/edge.ts'
import { csrfProtection } from '../src/edges/http/csrf.ts'

/** One node per role; the portal runs EMREX, the OOTS listener and the development issuer, so that every route exists. */
export const EVERY_ROLE: readonly LocalNodeSpec[] = [
  { slug: 'institution', name: 'Universitetet i Oslo', organisationNumber: '971035854', roles: ['institution'] },
  { slug: 'index', name: 'Nasjonal læringsindeks', organisationNumber: '919477822', roles: ['index'] },
  { slug: 'registry', name: 'Nasjonalt utdanningsregister', organisationNumber: '919477822', roles: ['registry'] },
  { slug: 'accreditor', name: 'NOKUT', organisationNumber: '997248945', roles: ['accreditor'] },
  { slug: 'portal', name: 'Vitnemålsportalen', organisationNumber: '919477822', roles: ['portal'] },
  { slug: 'admission', name: 'Samordna opptak', organisationNumber: '919477830', roles: ['admission'] },
  { slug: 'finance', name: 'Lånekassen', organisationNumber: '960885406', roles: ['finance'] }
]

/** Plans the federation of {@link EVERY_ROLE} under `dir` (with the portal's EMREX certificate and OOTS listener). */
export async function planEveryRole (dir: string, options: PlanOptions = {}): Promise<LocalFederationPlan> {
  const pems = await createSelfSignedCertificate({ commonName: 'Vitnemålsportalen', country: 'NO', modulusLength: 2048, validDays: 30 })
  const certificateFile = join(dir, 'emrex.crt')
  const keyFile = join(dir, 'emrex.key')
  writeCertificateFiles(certificateFile, keyFile, pems)
  // The OOTS listener pins a development gateway; on port 0, it listens only where a node is started.
  const oots = await prepareLocalOots(dir, { host: '127.0.0.1', port: 0 }, { familyName: 'Nordmann', givenName: 'Kari', dateOfBirth: '1999-03-14' })
  return planLocalFederation({ federation: 'no.lifelong.policy', basePorts: { p2p: 0, http: 0 }, manifestValidityDays: 1, nodes: [...EVERY_ROLE] }, join(dir, 'federation'), {
    logLevel: 'silent',
    ports: () => ({ p2p: 0, http: 0 }),
    ...options,
    configOverrides: (spec) => ({
      ...(spec.roles.includes('portal') ? { portal: { devIssuer: true }, emrex: { certificateFile, keyFile }, ...oots.portalConfig } : {}),
      // An institution harvesting results (its harvest routes exist only with a source configured).
      // … with a workbench for its staff and its development identity provider.
      ...(spec.roles.includes('institution')
        ? { harvest: { sources: [{ id: 'fs', format: 'elmo', file: join(dir, 'harvest') }] }, workbench: { devSignIn: true, staff: [{ id: 'editor', name: 'Kari Katalog', subject: 'dev-editor', roles: ['catalogue-editor'] }] } }
        : {}),
      ...(options.configOverrides?.(spec) ?? {})
    })
  })
}

/** The routes of each role's node, as the nodes register them. */
export interface RoleRoutes {
  role: string
  routes: readonly RouteEntry[]
}

/** The role tables of `node`: its HTTP routes and, on a portal with an `oots` section, its OOTS listener's. */
export function routeTables (node: LifelongNode): RoleRoutes[] {
  const role = node.config.roles.join(', ')
  const listener = node.parts.ootsListener
  return [{ role, routes: node.routes }, ...(listener === undefined ? [] : [{ role: `${role}: the OOTS listener (\`oots.listen\`; its rate limits are per gateway and in all, \`oots.rateLimits\`)`, routes: listener.routes }])]
}

/** Builds (without starting) a node of every role and returns their route tables. */
export async function everyRoleRoutes (): Promise<RoleRoutes[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lifelong-policies-'))
  try {
    const plan = await planEveryRole(dir)
    const out: RoleRoutes[] = []
    for (const planned of plan.nodes) {
      const node = await createNode(planned.config)
      out.push(...routeTables(node))
      await node.stop()
    }
    return out
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const LIMITS: Record<string, string> = { signIn: 'sign-in', shareOpen: 'share opening', walletToken: 'wallet token', walletCredential: 'wallet credential', emrexEntry: 'EMREX hand-over', walletPresentation: 'wallet presentation' }

/** What the CSRF column says of a route (src/edges/http/csrf.ts). */
function csrfOf (r: RouteEntry): string {
  const p = csrfProtection({ method: r.method, errors: r.errors, ...(r.policy === undefined ? {} : { policy: r.policy }), ...(r.crossSite === undefined ? {} : { crossSite: r.crossSite }) })
  return p.kind === 'checked' ? 'origin + token' : p.kind === 'cross-site' ? 'cross-site ¹' : ''
}

/**
 * Markdown: a table per role of every route (HEAD routes have their GET's policy and are left
 * out), then the routes declared cross-site and why.
 */
export function policyTables (tables: readonly RoleRoutes[]): string {
  const out: string[] = []
  const crossSite = new Map<string, string>()
  for (const { role, routes } of tables) {
    out.push(`### ${role}`, '', '| method | path | caller | scope | errors | rate limit | CSRF |', '|---|---|---|---|---|---|---|')
    for (const r of routes) {
      if (r.method === 'HEAD') continue
      const scope = r.policy?.caller === 'service' ? `\`${r.policy.scope}\`` : r.policy?.caller === 'staff' ? `\`${r.policy.may}\`` : ''
      const open = r.policy !== undefined && !['learner', 'service', 'oots-gateway', 'staff'].includes(r.policy.caller)
      const limit = r.limit === false ? 'none' : r.limit !== undefined ? LIMITS[r.limit] ?? r.limit : open ? 'public' : 'none'
      const csrf = csrfOf(r)
      if (csrf.startsWith('cross-site')) crossSite.set(`${r.method} \`${r.url}\``, r.crossSite as string)
      out.push(`| ${r.method} | \`${r.url}\` | ${r.policy?.caller ?? '**none**'} | ${scope} | ${r.errors} | ${limit} | ${csrf} |`)
    }
    out.push('')
  }
  if (crossSite.size > 0) {
    out.push('¹ Declared cross-site in the route\'s options (`config.crossSite`), so not checked for CSRF:', '')
    for (const [route, why] of crossSite) out.push(`- ${route}: ${why}`)
    out.push('')
  }
  return out.join('\n')
}

export const START = '<!-- route-policies:start (generated by scripts/security-policies.ts --write; do not edit) -->'
export const END = '<!-- route-policies:end -->'

/** The generated part of docs/SECURITY.md, between its markers. */
export function generatedSection (doc: string): string | undefined {
  const from = doc.indexOf(START)
  const to = doc.indexOf(END)
  return from < 0 || to < from ? undefined : doc.slice(from + START.length, to).trim()
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tables = policyTables(await everyRoleRoutes())
  if (process.argv.includes('--write')) {
    const file = new URL('../docs/SECURITY.md', import.meta.url)
    const doc = readFileSync(file, 'utf8')
    const from = doc.indexOf(START)
    const to = doc.indexOf(END)
    if (from < 0 || to < from) throw new Error('docs/SECURITY.md has no route-policies markers')
    writeFileSync(file, `${doc.slice(0, from + START.length)}\n\n${tables.trim()}\n\n${doc.slice(to)}`)
  } else {
    process.stdout.write(tables)
  }
}
